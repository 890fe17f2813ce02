//! The upgrade-readiness checks behind cluster insights, each evaluated from the cluster's
//! current state for the next Kubernetes minor; ids are stable per cluster and check.

use crate::catalogs::addons;
use crate::catalogs::versions::{minor, Catalog};
use crate::state::ClusterState;
use serde_json::{json, Value};

pub(super) const SUMMARY: &[&str] = &[
    "id",
    "name",
    "category",
    "kubernetesVersion",
    "lastRefreshTime",
    "lastTransitionTime",
    "description",
    "insightStatus",
];

/// Deprecated API versions that stop being served in a minor:
/// `(removed in, deprecated usage, replacement, replacement served since)`.
const REMOVED_APIS: &[(&str, &str, &str, &str)] = &[
    (
        "1.29",
        "/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas",
        "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas",
        "1.26",
    ),
    (
        "1.29",
        "/apis/flowcontrol.apiserver.k8s.io/v1beta2/prioritylevelconfigurations",
        "/apis/flowcontrol.apiserver.k8s.io/v1beta3/prioritylevelconfigurations",
        "1.26",
    ),
    (
        "1.32",
        "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas",
        "/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas",
        "1.29",
    ),
    (
        "1.32",
        "/apis/flowcontrol.apiserver.k8s.io/v1beta3/prioritylevelconfigurations",
        "/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations",
        "1.29",
    ),
];

/// FNV-1a, for ids that stay the same across reads.
fn fnv(seed: u64, text: &str) -> u64 {
    text.bytes().fold(seed, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn stable_id(key: &str) -> String {
    let a = fnv(0xcbf2_9ce4_8422_2325, key);
    let b = fnv(0x8422_2325_cbf2_9ce4, key);
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn status(value: &str, reason: &str) -> Value {
    json!({"status": value, "reason": reason})
}

/// One check's outcome; `key` makes its id stable per cluster.
struct Finding {
    key: &'static str,
    name: String,
    description: &'static str,
    recommendation: &'static str,
    status: Value,
    resources: Vec<Value>,
    summary: Value,
}

fn deprecated_apis(next: &str, now: f64) -> Finding {
    let details: Vec<Value> = REMOVED_APIS
        .iter()
        .filter(|(removed, ..)| *removed == next)
        .map(|(removed, usage, replacement, since)| {
            json!({
                "usage": usage,
                "replacedWith": replacement,
                "stopServingVersion": removed,
                "startServingReplacementVersion": since,
                "clientStats": [{
                    "userAgent": "kube-controller-manager/v1.28.0 (linux/amd64) kubernetes/eks",
                    "numberOfRequestsLast30Days": 1440,
                    "lastRequestTime": now - 3600.0,
                }],
            })
        })
        .collect();
    let status = if details.is_empty() {
        status(
            "PASSING",
            "No deprecated API usage detected within the last 30 days.",
        )
    } else {
        status(
            "ERROR",
            "Deprecated API usage detected within last 30 days.",
        )
    };
    Finding {
        key: "deprecated-apis",
        name: format!("Deprecated APIs removed in Kubernetes v{next}"),
        description: "Checks for usage of deprecated APIs that are scheduled for removal in the next Kubernetes version. Upgrading your cluster before migrating to the updated APIs could cause application impact.",
        recommendation: "Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading to the next Kubernetes version.",
        status,
        resources: Vec::new(),
        summary: json!({"deprecationDetails": details}),
    }
}

fn kubelet_skew(state: &ClusterState, version: &str) -> Finding {
    let behind: Vec<Value> = state
        .children
        .nodegroups
        .values()
        .filter(|ng| minor(ng.get_str("version")) < minor(version))
        .map(|ng| {
            json!({
                "insightStatus": status("WARNING", "Kubelet is older than the control plane."),
                "arn": ng.get_str("nodegroupArn"),
            })
        })
        .collect();
    let status = if behind.is_empty() {
        status(
            "PASSING",
            "Node kubelet versions match the control plane version.",
        )
    } else {
        status("WARNING", "Node kubelet version is behind the control plane; upgrading the control plane increases the skew.")
    };
    Finding {
        key: "kubelet-skew",
        name: "Kubelet version skew".into(),
        description: "Checks for kubelet versions of worker nodes in the cluster to see if upgrade would cause noncompliance with supported Kubernetes kubelet version skew policy.",
        recommendation: "Upgrade your worker nodes to match the Kubernetes version of your cluster control plane.",
        status,
        resources: behind,
        summary: json!({}),
    }
}

fn addon_compatibility(state: &ClusterState, next: &str, catalog: &Catalog) -> Finding {
    let mut incompatible = Vec::new();
    let details: Vec<Value> = state
        .children.addons
        .iter()
        .filter_map(|(name, addon)| {
            let spec = addons::addon(name)?;
            let compatible: Vec<String> = spec
                .compatible(next, catalog)
                .into_iter()
                .map(|v| v.version)
                .collect();
            if !compatible.iter().any(|v| v == addon.get_str("addonVersion")) {
                incompatible.push(json!({
                    "insightStatus": status("ERROR", "Add-on version is not compatible with the next Kubernetes version."),
                    "arn": addon.get_str("addonArn"),
                }));
            }
            Some(json!({"name": name, "compatibleVersions": compatible}))
        })
        .collect();
    let status = if incompatible.is_empty() {
        status(
            "PASSING",
            "All installed EKS add-ons are compatible with the next Kubernetes version.",
        )
    } else {
        status(
            "ERROR",
            "Some EKS add-ons need an update before the cluster can be upgraded.",
        )
    };
    Finding {
        key: "addon-compatibility",
        name: "EKS add-on version compatibility".into(),
        description: "Checks version of installed EKS add-ons to ensure they are compatible with the next version of Kubernetes.",
        recommendation: "Upgrade your EKS add-on to a version compatible with the next Kubernetes version.",
        status,
        resources: incompatible,
        summary: json!({"addonCompatibilityDetails": details}),
    }
}

fn cluster_health(state: &ClusterState) -> Finding {
    let issues = state
        .cluster
        .body
        .pointer("/health/issues")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let status = if issues == 0 {
        status("PASSING", "No cluster health issues detected.")
    } else {
        status("ERROR", "Cluster health issues detected.")
    };
    Finding {
        key: "cluster-health",
        name: "Cluster health issues".into(),
        description: "Checks for any cluster health issues that prevent successful upgrade to the next Kubernetes version on EKS.",
        recommendation: "Refer to the recommendation in the cluster health issue list.",
        status,
        resources: Vec::new(),
        summary: json!({}),
    }
}

fn amazon_linux_2(state: &ClusterState, next: &str) -> Finding {
    // EKS publishes no AL2 AMIs from Kubernetes 1.33 on.
    let blocked = minor(next).is_some_and(|m| m >= 33);
    let al2: Vec<Value> = state
        .children
        .nodegroups
        .values()
        .filter(|ng| blocked && ng.get_str("amiType").starts_with("AL2_"))
        .map(|ng| {
            json!({
                "insightStatus": status("ERROR", "Node group uses an Amazon Linux 2 AMI."),
                "arn": ng.get_str("nodegroupArn"),
            })
        })
        .collect();
    let status = if al2.is_empty() {
        status(
            "PASSING",
            "No Amazon Linux 2 node groups are affected by the next Kubernetes version.",
        )
    } else {
        status(
            "ERROR",
            "Amazon Linux 2 AMIs are not available for the next Kubernetes version.",
        )
    };
    Finding {
        key: "amazon-linux-2",
        name: "Amazon Linux 2 compatibility".into(),
        description: "Checks if Amazon Linux 2 managed node groups are present. EKS doesn't publish Amazon Linux 2 AMIs for Kubernetes 1.33 and later.",
        recommendation: "Migrate your node groups to Amazon Linux 2023 or Bottlerocket AMIs.",
        status,
        resources: al2,
        summary: json!({}),
    }
}

fn kube_proxy_skew(state: &ClusterState, version: &str) -> Finding {
    // kube-proxy versions look like v1.31.10-eksbuild.2.
    let behind = state.children.addons.get("kube-proxy").filter(|addon| {
        let addon_minor = addon
            .get_str("addonVersion")
            .trim_start_matches('v')
            .split('.')
            .nth(1)
            .and_then(|m| m.parse::<u32>().ok());
        addon_minor < minor(version)
    });
    let status = match behind {
        Some(_) => status("WARNING", "kube-proxy is older than the control plane."),
        None => status(
            "PASSING",
            "kube-proxy version matches the control plane version.",
        ),
    };
    Finding {
        key: "kube-proxy-skew",
        name: "kube-proxy version skew".into(),
        description: "Checks version of kube-proxy in cluster to see if upgrade would cause noncompliance with supported Kubernetes kube-proxy version skew policy.",
        recommendation: "Upgrade your kube-proxy to be the same version as your cluster control plane.",
        status,
        resources: Vec::new(),
        summary: json!({}),
    }
}

/// The insights of a cluster now, sorted by name: upgrade readiness for the next minor
/// version, when the version catalog offers one (none on the newest version, nor for
/// connected clusters, which have no EKS control plane version).
pub(super) fn insights(state: &ClusterState, catalog: &Catalog, now: f64) -> Vec<Value> {
    let body = &state.cluster.body;
    let version = state.cluster.get_str("version");
    let Some(next) = catalog.next_offered(version, now) else {
        return Vec::new();
    };
    let next = next.version.clone();
    let created = body.get("createdAt").and_then(Value::as_f64).unwrap_or(now);
    let refreshed = state
        .insights_refresh
        .filter(|r| r.ends_at <= now)
        .map_or(created, |r| r.ends_at.max(created));
    let arn = body.get("arn").and_then(Value::as_str).unwrap_or("");
    let mut out: Vec<Value> = [
        deprecated_apis(&next, now),
        kubelet_skew(state, version),
        addon_compatibility(state, &next, catalog),
        cluster_health(state),
        amazon_linux_2(state, &next),
        kube_proxy_skew(state, version),
    ]
    .into_iter()
    .map(|f| {
        json!({
            "id": stable_id(&format!("{arn}/{}", f.key)),
            "name": f.name,
            "category": "UPGRADE_READINESS",
            "kubernetesVersion": next,
            "lastRefreshTime": refreshed,
            "lastTransitionTime": created,
            "description": f.description,
            "insightStatus": f.status,
            "recommendation": f.recommendation,
            "additionalInfo": {
                "EKS update cluster documentation": "https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html",
            },
            "resources": f.resources,
            "categorySpecificSummary": f.summary,
        })
    })
    .collect();
    out.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    out
}

/// The names of the insights in ERROR for the next version (they block UpdateClusterVersion
/// unless it is forced).
pub fn blocking(state: &ClusterState, catalog: &Catalog, now: f64) -> Vec<String> {
    insights(state, catalog, now)
        .into_iter()
        .filter(|i| i["insightStatus"]["status"] == "ERROR")
        .filter_map(|i| i["name"].as_str().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_uuid_shaped() {
        let id = stable_id("arn:aws:eks:us-east-1:123456789012:cluster/a/kubelet-skew");
        assert_eq!(
            id,
            stable_id("arn:aws:eks:us-east-1:123456789012:cluster/a/kubelet-skew")
        );
        assert_ne!(
            id,
            stable_id("arn:aws:eks:us-east-1:123456789012:cluster/b/kubelet-skew")
        );
        assert_eq!(id.len(), 36);
    }
}
