//! Rules on managed node group requests (RULES.md, "CreateNodegroup", "UpdateNodegroupConfig",
//! "UpdateNodegroupVersion"): scaling, launch templates, AMI types against instance types and
//! Kubernetes versions, labels, taints, remote access, update and repair settings.

use super::rules::{
    check_labels, check_taints, invalid, MAX_NODEGROUP_LABELS, MAX_NODEGROUP_TAINTS,
};
use crate::catalogs::versions::minor;
use crate::error::AwsError;
use serde_json::{Map, Value};

/// At most this many instance types per node group.
pub const MAX_INSTANCE_TYPES: usize = 20;
/// EKS publishes no Amazon Linux 2 AMIs from this Kubernetes minor on.
const LAST_AL2_MINOR: u32 = 32;

fn size(scaling: &Value, key: &str) -> Option<i64> {
    scaling.get(key).and_then(Value::as_i64)
}

/// `minSize <= desiredSize <= maxSize`.
pub fn check_scaling(scaling: &Value) -> Result<(), AwsError> {
    let (min, desired, max) = (
        size(scaling, "minSize"),
        size(scaling, "desiredSize"),
        size(scaling, "maxSize"),
    );
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            return Err(invalid(format!(
                "Minimum capacity {min} can't be greater than maximum capacity {max}"
            )));
        }
    }
    if let (Some(desired), Some(max)) = (desired, max) {
        if desired > max {
            return Err(invalid(format!(
                "Desired capacity {desired} can't be greater than maximum capacity {max}"
            )));
        }
    }
    if let (Some(min), Some(desired)) = (min, desired) {
        if desired < min {
            return Err(invalid(format!(
                "Minimum capacity {min} can't be greater than desired size {desired}"
            )));
        }
    }
    Ok(())
}

/// At creation the scaling configuration is given whole or not at all.
pub fn check_scaling_at_create(scaling: Option<&Value>) -> Result<(), AwsError> {
    let Some(scaling) = scaling else {
        return Ok(());
    };
    let given = ["minSize", "maxSize", "desiredSize"]
        .iter()
        .filter(|k| scaling.get(**k).is_some_and(|v| !v.is_null()))
        .count();
    if given != 0 && given != 3 {
        return Err(invalid(
            "When creating a node group, scalingConfig needs all of minSize, maxSize and desiredSize, or none of them.",
        ));
    }
    check_scaling(scaling)
}

/// Exactly one of the launch template's `id` and `name`.
pub fn check_launch_template(template: &Value) -> Result<(), AwsError> {
    let has = |k: &str| {
        template
            .get(k)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty())
    };
    if has("id") == has("name") {
        return Err(invalid(
            "You must specify either the launch template ID or the launch template name in the request, but not both.",
        ));
    }
    Ok(())
}

/// Whether an EC2 instance type runs on Arm (Graviton): the a1 family, or a family whose
/// attributes after the generation digit include `g` (m7g, c6gn, t4g, x2gd, g5g, is4gen).
pub fn is_arm_instance(instance_type: &str) -> bool {
    let family = instance_type.split('.').next().unwrap_or("");
    if family == "a1" {
        return true;
    }
    let after_letters = family.trim_start_matches(|c: char| c.is_ascii_lowercase());
    let attributes = after_letters.trim_start_matches(|c: char| c.is_ascii_digit());
    after_letters.len() != attributes.len() && attributes.contains('g')
}

pub fn is_arm_ami(ami_type: &str) -> bool {
    ami_type.contains("ARM_64")
}

/// The instance type EKS uses when neither the request nor a launch template names one.
pub fn default_instance_type(ami_type: &str) -> &'static str {
    match (is_arm_ami(ami_type), ami_type) {
        (true, t) if t.contains("NVIDIA") => "g5g.xlarge",
        (true, _) => "t4g.medium",
        (false, t) if t.contains("NVIDIA") || t.ends_with("_GPU") => "g4dn.xlarge",
        (false, t) if t.contains("NEURON") => "inf2.xlarge",
        _ => "t3.medium",
    }
}

/// The root disk size EKS uses by default: 50 GiB for Windows, 20 GiB otherwise.
pub fn default_disk_size(ami_type: &str) -> i64 {
    if ami_type.starts_with("WINDOWS_") {
        50
    } else {
        20
    }
}

/// The AMI type fits the Kubernetes version and the instance types' architecture.
pub fn check_ami_type(
    ami_type: &str,
    instance_types: &[&str],
    kubernetes: &str,
) -> Result<(), AwsError> {
    if ami_type.starts_with("AL2_") && minor(kubernetes).is_some_and(|m| m > LAST_AL2_MINOR) {
        return Err(invalid(format!(
            "AMI Type {ami_type} is only supported for kubernetes versions 1.{LAST_AL2_MINOR} or earlier"
        )));
    }
    if ami_type == "CUSTOM" {
        return Ok(());
    }
    let arm = is_arm_ami(ami_type);
    if let Some(mismatch) = instance_types.iter().find(|t| is_arm_instance(t) != arm) {
        let (wants, has) = if arm {
            ("arm64", "x86_64")
        } else {
            ("x86_64", "arm64")
        };
        return Err(invalid(format!(
            "Instance type {mismatch} ({has}) is not compatible with AMI type {ami_type}, which needs {wants} instance types."
        )));
    }
    Ok(())
}

/// Remote access: source security groups only with an SSH key.
pub fn check_remote_access(remote: &Value) -> Result<(), AwsError> {
    let key = remote
        .get("ec2SshKey")
        .and_then(Value::as_str)
        .is_some_and(|k| !k.is_empty());
    let groups = remote
        .get("sourceSecurityGroups")
        .and_then(Value::as_array)
        .is_some_and(|g| !g.is_empty());
    if groups && !key {
        return Err(invalid(
            "remoteAccess.sourceSecurityGroups can't be specified without remoteAccess.ec2SshKey.",
        ));
    }
    Ok(())
}

fn both(config: &Value, a: &str, b: &str) -> bool {
    config.get(a).is_some_and(|v| !v.is_null()) && config.get(b).is_some_and(|v| !v.is_null())
}

/// `updateConfig`: one of `maxUnavailable` (at most 100) and `maxUnavailablePercentage`.
pub fn check_update_config(config: &Value) -> Result<(), AwsError> {
    if both(config, "maxUnavailable", "maxUnavailablePercentage") {
        return Err(invalid(
            "Only one of updateConfig.maxUnavailable and updateConfig.maxUnavailablePercentage can be specified.",
        ));
    }
    if config
        .get("maxUnavailable")
        .and_then(Value::as_i64)
        .is_some_and(|n| n > 100)
    {
        return Err(invalid("updateConfig.maxUnavailable can be at most 100."));
    }
    Ok(())
}

/// `nodeRepairConfig`: each count and its percentage exclude each other.
pub fn check_repair_config(config: &Value) -> Result<(), AwsError> {
    for (count, percentage) in [
        (
            "maxParallelNodesRepairedCount",
            "maxParallelNodesRepairedPercentage",
        ),
        (
            "maxUnhealthyNodeThresholdCount",
            "maxUnhealthyNodeThresholdPercentage",
        ),
    ] {
        if both(config, count, percentage) {
            return Err(invalid(format!(
                "nodeRepairConfig.{count} and nodeRepairConfig.{percentage} can't be set at the same time."
            )));
        }
    }
    Ok(())
}

pub fn check_label_count(labels: &Map<String, Value>) -> Result<(), AwsError> {
    check_labels(labels)?;
    if labels.len() > MAX_NODEGROUP_LABELS {
        return Err(invalid(format!(
            "A node group can have at most {MAX_NODEGROUP_LABELS} Kubernetes labels; {} were given.",
            labels.len()
        )));
    }
    Ok(())
}

pub fn check_taint_count(taints: &[Value]) -> Result<(), AwsError> {
    check_taints(taints)?;
    if taints.len() > MAX_NODEGROUP_TAINTS {
        return Err(invalid(format!(
            "A node group can have at most {MAX_NODEGROUP_TAINTS} Kubernetes taints; {} were given.",
            taints.len()
        )));
    }
    Ok(())
}

/// An UpdateNodegroupConfig label or taint payload may not add and remove the same key.
pub fn check_payloads(input: &Value) -> Result<(), AwsError> {
    let removed_labels: Vec<&str> = input
        .pointer("/labels/removeLabels")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if let Some(added) = input
        .pointer("/labels/addOrUpdateLabels")
        .and_then(Value::as_object)
    {
        if let Some(key) = added.keys().find(|k| removed_labels.contains(&k.as_str())) {
            return Err(invalid(format!(
                "The label {key} can't be both added and removed in one update."
            )));
        }
    }
    let taints = |member: &str| {
        input
            .pointer(&format!("/taints/{member}"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let removed = taints("removeTaints");
    for added in taints("addOrUpdateTaints") {
        if removed
            .iter()
            .any(|r| r.get("key") == added.get("key") && r.get("effect") == added.get("effect"))
        {
            return Err(invalid(format!(
                "The taint {} can't be both added and removed in one update.",
                added.get("key").and_then(Value::as_str).unwrap_or("")
            )));
        }
    }
    check_taints(&taints("addOrUpdateTaints"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instance_architectures() {
        for arm in [
            "t4g.medium",
            "m7g.large",
            "c6gn.xlarge",
            "x2gd.large",
            "g5g.xlarge",
            "a1.large",
            "im4gn.large",
            "is4gen.large",
        ] {
            assert!(is_arm_instance(arm), "{arm}");
        }
        for x86 in [
            "t3.medium",
            "g4dn.xlarge",
            "m5.large",
            "p5.48xlarge",
            "inf2.xlarge",
            "m7i-flex.large",
            "c7a.large",
        ] {
            assert!(!is_arm_instance(x86), "{x86}");
        }
        assert!(check_ami_type("AL2023_ARM_64_STANDARD", &["t3.medium"], "1.34").is_err());
        assert!(check_ami_type("AL2023_ARM_64_STANDARD", &["t4g.medium"], "1.34").is_ok());
        assert!(check_ami_type("AL2_x86_64", &["t3.medium"], "1.33").is_err());
        assert!(check_ami_type("AL2_x86_64", &["t3.medium"], "1.32").is_ok());
    }

    #[test]
    fn scaling_and_templates() {
        assert!(check_scaling_at_create(Some(&json!({"minSize": 1}))).is_err());
        assert!(check_scaling_at_create(Some(
            &json!({"minSize": 1, "maxSize": 2, "desiredSize": 1})
        ))
        .is_ok());
        assert!(check_launch_template(&json!({"id": "lt-1", "name": "n"})).is_err());
        assert!(check_launch_template(&json!({"version": "1"})).is_err());
        assert!(check_launch_template(&json!({"name": "n"})).is_ok());
        assert!(
            check_update_config(&json!({"maxUnavailable": 1, "maxUnavailablePercentage": 10}))
                .is_err()
        );
        assert!(check_payloads(
            &json!({"labels": {"addOrUpdateLabels": {"a": "1"}, "removeLabels": ["a"]}})
        )
        .is_err());
    }
}
