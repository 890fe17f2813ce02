//! The add-on catalog: versions with Kubernetes compatibility ranges, and configuration
//! schemas. Which Kubernetes versions exist, and
//! when, is the version catalog's (catalogs::versions): add-on compatibility lists only the
//! versions it offers.

use super::versions::{minor, Catalog};
use serde_json::{json, Value};

/// An add-on version compatible with every later Kubernetes minor too.
const OPEN: u32 = u32::MAX;

/// An add-on version and the inclusive range of Kubernetes minors it supports.
#[derive(Debug, Clone, PartialEq)]
pub struct AddonVersion {
    pub version: String,
    pub minors: (u32, u32),
}

impl AddonVersion {
    fn supports(&self, minor: u32) -> bool {
        self.minors.0 <= minor && minor <= self.minors.1
    }
}

pub struct AddonSpec {
    pub name: &'static str,
    pub kind: &'static str,
    pub namespace: &'static str,
    pub owner: &'static str,
    pub publisher: &'static str,
    /// `(version, first minor, last minor)`, newest first; the newest compatible version is
    /// the default for a cluster version.
    pub versions: &'static [(&'static str, u32, u32)],
    /// One version per Kubernetes minor, named after the minor's patch release (kube-proxy).
    pub per_minor: bool,
    /// `(service account, recommended managed policy)` for EKS Pod Identity.
    pub pod_identity: Option<(&'static str, &'static str)>,
    /// Top-level configuration properties of the schema: `(name, JSON schema type)`.
    pub config: &'static [(&'static str, &'static str)],
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
            ("v1.20.0-eksbuild.1", 29, OPEN),
            ("v1.19.6-eksbuild.1", 29, 34),
            ("v1.19.2-eksbuild.1", 29, 33),
            ("v1.18.6-eksbuild.1", 29, 32),
        ],
        per_minor: false,
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
            ("v1.12.2-eksbuild.4", 33, OPEN),
            ("v1.11.4-eksbuild.14", 31, 33),
            ("v1.11.3-eksbuild.2", 29, 32),
            ("v1.11.1-eksbuild.13", 29, 30),
        ],
        per_minor: false,
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
        versions: &[],
        per_minor: true,
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
            ("v1.46.0-eksbuild.1", 29, OPEN),
            ("v1.44.0-eksbuild.1", 29, 33),
            ("v1.38.1-eksbuild.2", 29, 32),
        ],
        per_minor: false,
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
            ("v2.1.9-eksbuild.1", 29, OPEN),
            ("v2.1.4-eksbuild.1", 29, 32),
        ],
        per_minor: false,
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
            ("v1.15.0-eksbuild.1", 29, OPEN),
            ("v1.11.0-eksbuild.1", 29, 32),
        ],
        per_minor: false,
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
            ("v8.2.0-eksbuild.1", 29, OPEN),
            ("v8.1.0-eksbuild.2", 29, 32),
        ],
        per_minor: false,
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
            ("v1.3.8-eksbuild.2", 29, OPEN),
            ("v1.3.4-eksbuild.1", 29, 32),
        ],
        per_minor: false,
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
            ("v4.3.0-eksbuild.1", 29, OPEN),
            ("v3.6.0-eksbuild.2", 29, 32),
        ],
        per_minor: false,
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
        versions: &[("v1.4.0-eksbuild.2", 29, OPEN)],
        per_minor: false,
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
            ("v0.8.0-eksbuild.1", 29, OPEN),
            ("v0.7.2-eksbuild.3", 29, 33),
        ],
        per_minor: false,
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
    /// Every version of the add-on, newest first; per-minor add-ons get one version for each
    /// Kubernetes version of the catalog.
    pub fn versions(&self, catalog: &Catalog) -> Vec<AddonVersion> {
        if self.per_minor {
            return catalog
                .versions
                .iter()
                .rev()
                .filter_map(|v| {
                    let m = minor(&v.version)?;
                    Some(AddonVersion {
                        version: format!("v{}-eksbuild.1", v.kubernetes_patch_version),
                        minors: (m, m),
                    })
                })
                .collect();
        }
        self.versions
            .iter()
            .map(|(version, from, to)| AddonVersion {
                version: (*version).to_string(),
                minors: (*from, *to),
            })
            .collect()
    }

    pub fn version(&self, version: &str, catalog: &Catalog) -> Option<AddonVersion> {
        self.versions(catalog)
            .into_iter()
            .find(|v| v.version == version)
    }

    /// Versions compatible with a Kubernetes version, newest first.
    pub fn compatible(&self, kubernetes: &str, catalog: &Catalog) -> Vec<AddonVersion> {
        let Some(m) = minor(kubernetes) else {
            return Vec::new();
        };
        self.versions(catalog)
            .into_iter()
            .filter(|v| v.supports(m))
            .collect()
    }

    pub fn default_version(&self, kubernetes: &str, catalog: &Catalog) -> Option<String> {
        self.compatible(kubernetes, catalog)
            .into_iter()
            .next()
            .map(|v| v.version)
    }

    /// `AddonInfo` in wire form: compatibilities with the Kubernetes versions the catalog
    /// offers at `now`, only `kubernetes` if given.
    pub fn info(&self, kubernetes: Option<&str>, catalog: &Catalog, now: f64) -> Value {
        let offered: Vec<&str> = catalog
            .offered_versions(now)
            .rev()
            .map(|v| v.version.as_str())
            .filter(|k| kubernetes.is_none_or(|want| want == *k))
            .collect();
        let defaults: Vec<(&str, Option<String>)> = offered
            .iter()
            .map(|k| (*k, self.default_version(k, catalog)))
            .collect();
        let versions: Vec<Value> = self
            .versions(catalog)
            .iter()
            .filter_map(|v| {
                let compatibilities: Vec<Value> = defaults
                    .iter()
                    .filter(|(k, _)| minor(k).is_some_and(|m| v.supports(m)))
                    .map(|(k, default)| {
                        json!({
                            "clusterVersion": k,
                            "platformVersions": ["*"],
                            "defaultVersion": default.as_deref() == Some(v.version.as_str()),
                        })
                    })
                    .collect();
                if compatibilities.is_empty() {
                    return None;
                }
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

    /// The top-level properties `configurationValues` may set.
    pub fn configuration_keys(&self) -> impl Iterator<Item = &'static str> {
        self.config.iter().map(|(name, _)| *name)
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

// ---- access policies (ListAccessPolicies, AssociateAccessPolicy) ---------------------------

#[cfg(test)]
mod tests;
