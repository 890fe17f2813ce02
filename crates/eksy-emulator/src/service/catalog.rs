//! Static catalogs: supported Kubernetes versions with their platform versions and support
//! calendar, the add-on catalog (versions with Kubernetes compatibility ranges, configuration
//! schemas), and the EKS access policies.

use serde_json::{json, Value};

/// Supported Kubernetes versions, oldest first, with the current platform version of each.
pub const KUBERNETES_VERSIONS: &[(&str, &str)] = &[
    ("1.29", "eks.41"),
    ("1.30", "eks.37"),
    ("1.31", "eks.33"),
    ("1.32", "eks.19"),
    ("1.33", "eks.13"),
    ("1.34", "eks.6"),
];

pub const DEFAULT_KUBERNETES_VERSION: &str = "1.33";

pub fn platform_version(kubernetes: &str) -> Option<&'static str> {
    KUBERNETES_VERSIONS
        .iter()
        .find(|(v, _)| *v == kubernetes)
        .map(|(_, p)| *p)
}

/// The minor number of "1.NN".
pub fn minor(kubernetes: &str) -> Option<u32> {
    kubernetes.strip_prefix("1.")?.parse().ok()
}

/// The AMI release version managed node groups get for a Kubernetes version.
pub fn release_version(kubernetes: &str) -> String {
    format!("{kubernetes}.0-20250715")
}

pub struct AddonVersion {
    pub version: &'static str,
    /// Inclusive range of compatible Kubernetes minors.
    pub minors: (u32, u32),
}

pub struct AddonSpec {
    pub name: &'static str,
    pub kind: &'static str,
    pub namespace: &'static str,
    pub owner: &'static str,
    pub publisher: &'static str,
    /// Newest first; the newest compatible version is the default for a cluster version.
    pub versions: &'static [AddonVersion],
    /// `(service account, recommended managed policy)` for EKS Pod Identity.
    pub pod_identity: Option<(&'static str, &'static str)>,
    /// Top-level configuration properties of the schema: `(name, JSON schema type)`.
    pub config: &'static [(&'static str, &'static str)],
}

const fn v(version: &'static str, from: u32, to: u32) -> AddonVersion {
    AddonVersion {
        version,
        minors: (from, to),
    }
}

const RESOURCES: (&str, &str) = ("resources", "object");
const TOLERATIONS: (&str, &str) = ("tolerations", "array");
const NODE_SELECTOR: (&str, &str) = ("nodeSelector", "object");

pub const ADDONS: &[AddonSpec] = &[
    AddonSpec {
        name: "vpc-cni",
        kind: "networking",
        namespace: "kube-system",
        owner: "aws",
        publisher: "eks",
        versions: &[
            v("v1.20.0-eksbuild.1", 29, 34),
            v("v1.19.6-eksbuild.1", 29, 34),
            v("v1.19.2-eksbuild.1", 29, 33),
            v("v1.18.6-eksbuild.1", 29, 32),
        ],
        pod_identity: Some(("aws-node", "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy")),
        config: &[
            ("env", "object"),
            ("enableNetworkPolicy", "string"),
            RESOURCES,
            TOLERATIONS,
        ],
    },
    AddonSpec {
        name: "coredns",
        kind: "networking",
        namespace: "kube-system",
        owner: "aws",
        publisher: "eks",
        versions: &[
            v("v1.12.2-eksbuild.4", 33, 34),
            v("v1.11.4-eksbuild.14", 31, 33),
            v("v1.11.3-eksbuild.2", 29, 32),
            v("v1.11.1-eksbuild.13", 29, 30),
        ],
        pod_identity: None,
        config: &[
            ("replicaCount", "integer"),
            ("corefile", "string"),
            RESOURCES,
            TOLERATIONS,
            NODE_SELECTOR,
        ],
    },
    AddonSpec {
        name: "kube-proxy",
        kind: "networking",
        namespace: "kube-system",
        owner: "aws",
        publisher: "eks",
        versions: &[
            v("v1.34.0-eksbuild.2", 34, 34),
            v("v1.33.3-eksbuild.4", 33, 33),
            v("v1.32.6-eksbuild.2", 32, 32),
            v("v1.31.10-eksbuild.2", 31, 31),
            v("v1.30.14-eksbuild.2", 30, 30),
            v("v1.29.15-eksbuild.5", 29, 29),
        ],
        pod_identity: None,
        config: &[("mode", "string"), ("ipvs", "object"), RESOURCES],
    },
    AddonSpec {
        name: "aws-ebs-csi-driver",
        kind: "storage",
        namespace: "kube-system",
        owner: "aws",
        publisher: "eks",
        versions: &[
            v("v1.46.0-eksbuild.1", 29, 34),
            v("v1.44.0-eksbuild.1", 29, 33),
            v("v1.38.1-eksbuild.2", 29, 32),
        ],
        pod_identity: Some((
            "ebs-csi-controller-sa",
            "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
        )),
        config: &[
            ("controller", "object"),
            ("node", "object"),
            ("defaultStorageClass", "object"),
        ],
    },
    AddonSpec {
        name: "aws-efs-csi-driver",
        kind: "storage",
        namespace: "kube-system",
        owner: "aws",
        publisher: "eks",
        versions: &[
            v("v2.1.9-eksbuild.1", 29, 34),
            v("v2.1.4-eksbuild.1", 29, 32),
        ],
        pod_identity: Some((
            "efs-csi-controller-sa",
            "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy",
        )),
        config: &[("controller", "object"), ("node", "object")],
    },
    AddonSpec {
        name: "aws-mountpoint-s3-csi-driver",
        kind: "storage",
        namespace: "kube-system",
        owner: "aws",
        publisher: "s3",
        versions: &[
            v("v1.15.0-eksbuild.1", 29, 34),
            v("v1.11.0-eksbuild.1", 29, 32),
        ],
        pod_identity: None,
        config: &[("node", "object")],
    },
    AddonSpec {
        name: "snapshot-controller",
        kind: "storage",
        namespace: "kube-system",
        owner: "aws",
        publisher: "eks",
        versions: &[
            v("v8.2.0-eksbuild.1", 29, 34),
            v("v8.1.0-eksbuild.2", 29, 32),
        ],
        pod_identity: None,
        config: &[("replicaCount", "integer"), RESOURCES, TOLERATIONS],
    },
    AddonSpec {
        name: "eks-pod-identity-agent",
        kind: "security",
        namespace: "kube-system",
        owner: "aws",
        publisher: "eks",
        versions: &[
            v("v1.3.8-eksbuild.2", 29, 34),
            v("v1.3.4-eksbuild.1", 29, 32),
        ],
        pod_identity: None,
        config: &[("agent", "object"), RESOURCES, TOLERATIONS],
    },
    AddonSpec {
        name: "amazon-cloudwatch-observability",
        kind: "observability",
        namespace: "amazon-cloudwatch",
        owner: "aws",
        publisher: "eks",
        versions: &[
            v("v4.3.0-eksbuild.1", 29, 34),
            v("v3.6.0-eksbuild.2", 29, 32),
        ],
        pod_identity: Some((
            "cloudwatch-agent",
            "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        )),
        config: &[
            ("agent", "object"),
            ("containerLogs", "object"),
            TOLERATIONS,
        ],
    },
    AddonSpec {
        name: "eks-node-monitoring-agent",
        kind: "observability",
        namespace: "kube-system",
        owner: "aws",
        publisher: "eks",
        versions: &[v("v1.4.0-eksbuild.2", 29, 34)],
        pod_identity: None,
        config: &[("monitoringAgent", "object"), ("dcgmAgent", "object")],
    },
    AddonSpec {
        name: "metrics-server",
        kind: "observability",
        namespace: "kube-system",
        owner: "community",
        publisher: "eks",
        versions: &[
            v("v0.8.0-eksbuild.1", 29, 34),
            v("v0.7.2-eksbuild.3", 29, 33),
        ],
        pod_identity: None,
        config: &[
            ("replicas", "integer"),
            RESOURCES,
            TOLERATIONS,
            NODE_SELECTOR,
        ],
    },
];

pub fn addon(name: &str) -> Option<&'static AddonSpec> {
    ADDONS.iter().find(|a| a.name == name)
}

impl AddonSpec {
    pub fn version(&self, version: &str) -> Option<&'static AddonVersion> {
        self.versions.iter().find(|v| v.version == version)
    }

    pub fn compatible(&self, kubernetes: &str) -> impl Iterator<Item = &'static AddonVersion> {
        let m = minor(kubernetes);
        self.versions
            .iter()
            .filter(move |v| m.is_some_and(|m| v.minors.0 <= m && m <= v.minors.1))
    }

    pub fn default_version(&self, kubernetes: &str) -> Option<&'static str> {
        self.compatible(kubernetes).next().map(|v| v.version)
    }

    /// `AddonInfo` in wire form, keeping only versions compatible with `kubernetes` if given.
    pub fn info(&self, kubernetes: Option<&str>) -> Value {
        let versions: Vec<Value> = self
            .versions
            .iter()
            .filter_map(|v| {
                let clusters: Vec<&str> = KUBERNETES_VERSIONS
                    .iter()
                    .map(|(k, _)| *k)
                    .filter(|k| minor(k).is_some_and(|m| v.minors.0 <= m && m <= v.minors.1))
                    .filter(|k| kubernetes.is_none_or(|want| want == *k))
                    .collect();
                if clusters.is_empty() {
                    return None;
                }
                let compatibilities: Vec<Value> = clusters
                    .iter()
                    .map(|k| {
                        json!({
                            "clusterVersion": k,
                            "platformVersions": ["*"],
                            "defaultVersion": self.default_version(k) == Some(v.version),
                        })
                    })
                    .collect();
                Some(json!({
                    "addonVersion": v.version,
                    "architecture": ["amd64", "arm64"],
                    "computeTypes": ["ec2", "hybrid", "auto"],
                    "compatibilities": compatibilities,
                    "requiresConfiguration": false,
                    "requiresIamPermissions": self.pod_identity.is_some(),
                }))
            })
            .collect();
        json!({
            "addonName": self.name,
            "type": self.kind,
            "addonVersions": versions,
            "publisher": self.publisher,
            "owner": self.owner,
            "defaultNamespace": self.namespace,
        })
    }

    /// The JSON schema (as text, as AWS returns it) for `configurationValues`.
    pub fn configuration_schema(&self) -> String {
        let properties: serde_json::Map<String, Value> = self
            .config
            .iter()
            .map(|(name, kind)| ((*name).to_string(), json!({"type": kind})))
            .collect();
        json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$id": format!("https://eks.amazonaws.com/addons/{}/schema.json", self.name),
            "type": "object",
            "additionalProperties": false,
            "properties": properties,
        })
        .to_string()
    }

    pub fn pod_identity_configuration(&self) -> Vec<Value> {
        self.pod_identity
            .iter()
            .map(|(sa, policy)| json!({"serviceAccount": sa, "recommendedManagedPolicies": [policy]}))
            .collect()
    }
}

// ---- Kubernetes version support (DescribeClusterVersions) --------------------------------

/// Support calendar of a Kubernetes version: `(version, patch, released, end of standard
/// support, end of extended support)` as `(year, month, day)`.
type SupportDates = (
    &'static str,
    &'static str,
    (i64, i64, i64),
    (i64, i64, i64),
    (i64, i64, i64),
);

const SUPPORT_CALENDAR: &[SupportDates] = &[
    (
        "1.29",
        "1.29.15",
        (2024, 1, 23),
        (2025, 3, 23),
        (2026, 3, 23),
    ),
    (
        "1.30",
        "1.30.14",
        (2024, 5, 23),
        (2025, 7, 23),
        (2026, 7, 23),
    ),
    (
        "1.31",
        "1.31.13",
        (2024, 9, 26),
        (2025, 11, 26),
        (2026, 11, 26),
    ),
    (
        "1.32",
        "1.32.9",
        (2025, 1, 23),
        (2026, 3, 23),
        (2027, 3, 23),
    ),
    (
        "1.33",
        "1.33.5",
        (2025, 5, 29),
        (2026, 7, 29),
        (2027, 7, 29),
    ),
    (
        "1.34",
        "1.34.1",
        (2025, 10, 2),
        (2026, 12, 2),
        (2027, 12, 2),
    ),
];

/// Seconds since the epoch of a UTC date (days-from-civil, proleptic Gregorian).
pub fn epoch((year, month, day): (i64, i64, i64)) -> f64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    ((era * 146_097 + doe - 719_468) * 86_400) as f64
}

/// `(versionStatus, deprecated status)` of a version at `now`.
fn support_status(now: f64, standard_end: f64, extended_end: f64) -> (&'static str, &'static str) {
    if now < standard_end {
        ("STANDARD_SUPPORT", "standard-support")
    } else if now < extended_end {
        ("EXTENDED_SUPPORT", "extended-support")
    } else {
        ("UNSUPPORTED", "unsupported")
    }
}

/// Every catalog version as `ClusterVersionInformation`, newest first, at emulator time `now`.
pub fn cluster_versions(now: f64) -> Vec<Value> {
    SUPPORT_CALENDAR
        .iter()
        .rev()
        .map(|(version, patch, released, standard, extended)| {
            let (standard, extended) = (epoch(*standard), epoch(*extended));
            let (status, old_status) = support_status(now, standard, extended);
            json!({
                "clusterVersion": version,
                "clusterType": "eks",
                "defaultPlatformVersion": platform_version(version).unwrap_or("eks.1"),
                "defaultVersion": *version == DEFAULT_KUBERNETES_VERSION,
                "releaseDate": epoch(*released),
                "endOfStandardSupportDate": standard,
                "endOfExtendedSupportDate": extended,
                "status": old_status,
                "versionStatus": status,
                "kubernetesPatchVersion": patch,
            })
        })
        .collect()
}

pub fn describe_cluster_versions(
    ctx: &mut super::Ctx,
    input: &Value,
) -> Result<Value, crate::error::AwsError> {
    let wanted: Vec<&str> = input
        .get("clusterVersions")
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let flag = |member: &str| input.get(member).and_then(Value::as_bool) == Some(true);
    let (default_only, include_all) = (flag("defaultOnly"), flag("includeAll"));
    let cluster_type = super::opt_text(input, "clusterType").unwrap_or("eks");
    let status = super::opt_text(input, "status");
    let version_status = super::opt_text(input, "versionStatus");
    let items = cluster_versions(ctx.now)
        .into_iter()
        .filter(|v| v["clusterType"] == cluster_type)
        .filter(|v| !default_only || v["defaultVersion"] == true)
        .filter(|v| wanted.is_empty() || wanted.iter().any(|w| v["clusterVersion"] == *w))
        .filter(|v| status.is_none_or(|s| v["status"] == s))
        .filter(|v| version_status.is_none_or(|s| v["versionStatus"] == s))
        // Unsupported versions only when asked for (includeAll, a status filter or by name).
        .filter(|v| {
            include_all
                || status.is_some()
                || version_status.is_some()
                || !wanted.is_empty()
                || v["versionStatus"] != "UNSUPPORTED"
        })
        .enumerate()
        .map(|(i, v)| (format!("{i:04}"), v))
        .collect();
    super::item_page(items, input, "clusterVersions")
}

// ---- access policies (ListAccessPolicies, AssociateAccessPolicy) ---------------------------

/// The EKS access policies, sorted by name.
pub const ACCESS_POLICIES: &[&str] = &[
    "AmazonAIOpsAssistantPolicy",
    "AmazonARCRegionSwitchScalingPolicy",
    "AmazonEKSACKPolicy",
    "AmazonEKSAdminPolicy",
    "AmazonEKSAdminViewPolicy",
    "AmazonEKSArgoCDClusterPolicy",
    "AmazonEKSArgoCDPolicy",
    "AmazonEKSAutoNodePolicy",
    "AmazonEKSBlockStorageClusterPolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSClusterAdminPolicy",
    "AmazonEKSComputeClusterPolicy",
    "AmazonEKSComputePolicy",
    "AmazonEKSEditPolicy",
    "AmazonEKSEventPolicy",
    "AmazonEKSHybridPolicy",
    "AmazonEKSKROPolicy",
    "AmazonEKSLoadBalancingClusterPolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingClusterPolicy",
    "AmazonEKSNetworkingPolicy",
    "AmazonEKSSecretReaderPolicy",
    "AmazonEKSViewPolicy",
    "AmazonEMRJobPolicy",
    "AmazonSagemakerHyperpodClusterPolicy",
    "AmazonSagemakerHyperpodControllerPolicy",
    "AmazonSagemakerHyperpodSystemNamespacePolicy",
];

pub fn access_policy_arn(name: &str) -> String {
    format!("arn:aws:eks::aws:cluster-access-policy/{name}")
}

pub fn is_access_policy(arn: &str) -> bool {
    ACCESS_POLICIES.iter().any(|p| access_policy_arn(p) == arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_addon_supports_every_kubernetes_version() {
        for addon in ADDONS {
            for (k, _) in KUBERNETES_VERSIONS {
                assert!(addon.default_version(k).is_some(), "{} on {k}", addon.name);
            }
        }
        assert_eq!(
            addon("kube-proxy").unwrap().default_version("1.31"),
            Some("v1.31.10-eksbuild.2")
        );
        assert!(
            serde_json::from_str::<Value>(&addon("coredns").unwrap().configuration_schema())
                .is_ok()
        );
    }

    #[test]
    fn support_calendar() {
        assert_eq!(epoch((1970, 1, 1)), 0.0);
        assert_eq!(epoch((2024, 3, 1)), 1_709_251_200.0);
        let versions = cluster_versions(epoch((2025, 6, 1)));
        assert_eq!(versions[0]["clusterVersion"], "1.34");
        let v129 = versions
            .iter()
            .find(|v| v["clusterVersion"] == "1.29")
            .unwrap();
        assert_eq!(v129["versionStatus"], "EXTENDED_SUPPORT");
        assert!(ACCESS_POLICIES.windows(2).all(|w| w[0] < w[1]));
    }
}
