//! Shared checks of the rules the service enforces beyond the model's constraints (see
//! crates/eksy-emulator/RULES.md): name formats, IAM role ARNs, CIDR blocks, reserved tag
//! keys, Kubernetes labels and taints, and the choice of an error the operation lists.

use crate::error::AwsError;
use serde_json::{Map, Value};

/// The model's pattern for cluster and subscription names, which must match the whole name
/// (the model's own pattern text has no end anchor).
pub const NAME_PATTERN: &str = r"^[0-9A-Za-z][A-Za-z0-9\-_]*";

/// At most this many Kubernetes labels on a managed node group (EKS service quota).
pub const MAX_NODEGROUP_LABELS: usize = 100;
/// At most this many Kubernetes taints on a managed node group (EKS service quota).
pub const MAX_NODEGROUP_TAINTS: usize = 50;

pub fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::invalid_parameter(message)
}

/// Whether `name` is made only of alphanumerics, hyphens and underscores and starts with an
/// alphanumeric.
pub fn is_resource_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The model-style validation error for a member that does not match [`NAME_PATTERN`].
pub fn check_name(member: &str, name: &str) -> Result<(), AwsError> {
    if is_resource_name(name) {
        return Ok(());
    }
    Err(invalid(format!(
        "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {NAME_PATTERN}"
    )))
}

/// `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME` with a 12-digit account and IAM's name
/// characters.
pub fn is_role_arn(arn: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let Some(path) = resource.strip_prefix("role/") else {
        return false;
    };
    let name = path.rsplit('/').next().unwrap_or("");
    let name_ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    partition.starts_with("aws")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && name_ok
        && path.split('/').all(|segment| !segment.is_empty())
}

pub fn check_role_arn(member: &str, arn: &str) -> Result<(), AwsError> {
    if is_role_arn(arn) {
        Ok(())
    } else {
        Err(invalid(format!(
            "The {member} {arn} is not a valid IAM role ARN (arn:aws:iam::<account>:role/<name>)."
        )))
    }
}

/// An IPv4 CIDR block: `(network address, prefix length)`; the address must be the
/// block's first (no host bits set).
pub fn parse_ipv4_cidr(text: &str) -> Option<(u32, u8)> {
    let (address, prefix) = text.split_once('/')?;
    let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32)?;
    if prefix.to_string() != text.split_once('/')?.1 {
        return None;
    }
    let address: std::net::Ipv4Addr = address.parse().ok()?;
    let bits = u32::from(address);
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    (bits & !mask == 0).then_some((bits, prefix))
}

/// An IPv6 CIDR block (the address must be the block's first).
pub fn parse_ipv6_cidr(text: &str) -> Option<(u128, u8)> {
    let (address, prefix) = text.split_once('/')?;
    let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 128)?;
    let address: std::net::Ipv6Addr = address.parse().ok()?;
    let bits = u128::from(address);
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix)
    };
    (bits & !mask == 0).then_some((bits, prefix))
}

const RFC1918: [(u32, u8); 3] = [
    (0x0a00_0000, 8),  // 10.0.0.0/8
    (0xac10_0000, 12), // 172.16.0.0/12
    (0xc0a8_0000, 16), // 192.168.0.0/16
];

/// Whether the block lies within one of the RFC 1918 private ranges.
pub fn is_private_block((address, prefix): (u32, u8)) -> bool {
    RFC1918.iter().any(|(network, length)| {
        prefix >= *length && (address >> (32 - length)) == (network >> (32 - length))
    })
}

/// Whether two IPv4 blocks share an address.
pub fn overlaps((a, a_len): (u32, u8), (b, b_len): (u32, u8)) -> bool {
    let shorter = a_len.min(b_len);
    if shorter == 0 {
        return true;
    }
    (a >> (32 - shorter)) == (b >> (32 - shorter))
}

/// The first tag key or value beginning with `aws:` (any case), which AWS reserves.
pub fn reserved_tag(tags: &Map<String, Value>) -> Option<&str> {
    let reserved = |text: &str| text.to_ascii_lowercase().starts_with("aws:");
    tags.iter().find_map(|(k, v)| {
        if reserved(k) {
            Some(k.as_str())
        } else {
            v.as_str().filter(|v| reserved(v))
        }
    })
}

/// Tags given at creation may not use the `aws:` prefix, in keys or values.
pub fn check_tags(input: &Value) -> Result<(), AwsError> {
    match input
        .get("tags")
        .and_then(Value::as_object)
        .and_then(reserved_tag)
    {
        Some(tag) => Err(invalid(format!(
            "Tag keys and values starting with 'aws:' are reserved for AWS use: {tag}"
        ))),
        None => Ok(()),
    }
}

/// A Kubernetes label key: an optional DNS-subdomain prefix and `/`, then a name of up to 63
/// alphanumerics, `-`, `_` and `.` that begins and ends with an alphanumeric.
pub fn is_label_key(key: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    let prefix_ok = prefix.is_none_or(|p| {
        (1..=253).contains(&p.len())
            && p.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            })
    });
    prefix_ok && is_label_value(name) && !name.is_empty()
}

/// A Kubernetes label value: empty, or up to 63 alphanumerics, `-`, `_` and `.` that begins
/// and ends with an alphanumeric.
pub fn is_label_value(value: &str) -> bool {
    value.is_empty()
        || (value.len() <= 63
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            && value
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric())
            && value
                .bytes()
                .last()
                .is_some_and(|b| b.is_ascii_alphanumeric()))
}

/// Checks a map of node labels (keys and values in Kubernetes syntax).
pub fn check_labels(labels: &Map<String, Value>) -> Result<(), AwsError> {
    for (key, value) in labels {
        let value = value.as_str().unwrap_or("");
        if !is_label_key(key) || !is_label_value(value) {
            return Err(invalid(format!(
                "Label {key}={value} is invalid: keys and values must be valid Kubernetes label syntax."
            )));
        }
    }
    Ok(())
}

/// Checks a list of taints: keys in label-key syntax, values in label-value syntax, and no
/// two with the same key and effect.
pub fn check_taints(taints: &[Value]) -> Result<(), AwsError> {
    for (i, taint) in taints.iter().enumerate() {
        let key = taint.get("key").and_then(Value::as_str).unwrap_or("");
        let value = taint.get("value").and_then(Value::as_str).unwrap_or("");
        if !is_label_key(key) || !is_label_value(value) {
            return Err(invalid(format!(
                "Taint {key}={value} is invalid: keys and values must be valid Kubernetes label syntax."
            )));
        }
        if taint.get("effect").and_then(Value::as_str).is_none() {
            return Err(invalid(format!("Taint {key} needs an effect.")));
        }
        let duplicate = taints[..i]
            .iter()
            .any(|t| t.get("key") == taint.get("key") && t.get("effect") == taint.get("effect"));
        if duplicate {
            return Err(invalid(format!(
                "Taint {key} with effect {} is given twice.",
                taint.get("effect").and_then(Value::as_str).unwrap_or("")
            )));
        }
    }
    Ok(())
}

/// Kubernetes namespace and service account names: DNS-1123 labels.
pub fn is_dns_label(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// Kubernetes object names (service accounts): DNS-1123 subdomains.
pub fn is_dns_subdomain(name: &str) -> bool {
    (1..=253).contains(&name.len())
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// The error for an update of a resource whose status does not allow one, choosing among
/// the errors the operation lists: `ResourceInUseException` while it is being updated,
/// `state_error` otherwise.
pub fn not_updatable(
    status: &str,
    kind: &str,
    name: &str,
    state_error: fn(String) -> AwsError,
) -> Option<AwsError> {
    match status {
        "ACTIVE" | "DEGRADED" | "UPDATE_FAILED" => None,
        "UPDATING" => Some(AwsError::in_use(format!(
            "{kind} {name} has an update in progress."
        ))),
        _ => Some(state_error(format!(
            "{kind} {name} is in {status} status and cannot be updated."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_resource_name("demo-1_a"));
        for bad in ["", "bad name!", "-lead", "_lead", "dot.ted", "ünï"] {
            assert!(!is_resource_name(bad), "{bad}");
        }
        assert!(check_name("name", "bad name!")
            .unwrap_err()
            .message
            .contains("at 'name' failed to satisfy constraint"));
    }

    #[test]
    fn role_arns() {
        assert!(is_role_arn("arn:aws:iam::123456789012:role/eks"));
        assert!(is_role_arn(
            "arn:aws-cn:iam::123456789012:role/path/to/eks-Role_1"
        ));
        for bad in [
            "not-an-arn",
            "arn:aws:iam::123:role/eks",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:sts::123456789012:assumed-role/r/s",
            "arn:aws:iam:us-east-1:123456789012:role/eks",
            "arn:aws:iam::123456789012:role/a b",
        ] {
            assert!(!is_role_arn(bad), "{bad}");
        }
    }

    #[test]
    fn cidrs() {
        assert_eq!(parse_ipv4_cidr("10.100.0.0/16"), Some((0x0a64_0000, 16)));
        for bad in [
            "0.0.0.0",
            "10.100.0.1/16",
            "10.0.0.0/33",
            "10.0.0.0/016",
            "x/8",
        ] {
            assert_eq!(parse_ipv4_cidr(bad), None, "{bad}");
        }
        let private = |t: &str| parse_ipv4_cidr(t).is_some_and(is_private_block);
        assert!(private("172.20.0.0/16") && private("192.168.4.0/24") && private("10.0.0.0/8"));
        assert!(!private("8.8.0.0/16") && !private("172.0.0.0/8") && !private("0.0.0.0/0"));
        let block = |t: &str| parse_ipv4_cidr(t).unwrap();
        assert!(overlaps(block("10.0.0.0/8"), block("10.100.0.0/16")));
        assert!(!overlaps(block("10.0.0.0/16"), block("10.1.0.0/16")));
        assert!(parse_ipv6_cidr("::/0").is_some() && parse_ipv6_cidr("fd00::1/64").is_none());
    }

    #[test]
    fn labels_and_taints() {
        for good in ["app", "example.com/app", "a.b-c_d", "k8s.io/x1"] {
            assert!(is_label_key(good), "{good}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "Exa mple",
            "UPPER.com/x",
            "a/b/c",
            &"x".repeat(64),
        ] {
            assert!(!is_label_key(bad), "{bad}");
        }
        let taint = |k: &str, e: &str| serde_json::json!({"key": k, "effect": e});
        assert!(check_taints(&[taint("a", "NO_SCHEDULE"), taint("a", "NO_EXECUTE")]).is_ok());
        assert!(check_taints(&[taint("a", "NO_SCHEDULE"), taint("a", "NO_SCHEDULE")]).is_err());
    }
}
