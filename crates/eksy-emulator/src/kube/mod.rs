//! Kubernetes endpoints of the emulated clusters: a CA and TLS listener per ACTIVE cluster
//! (`host`, `pki`), IAM token authentication (`token`), EKS's mapping of IAM principals to
//! Kubernetes users (`subject`), RBAC-style authorization (`rbac`), and a small API
//! (`api`: discovery, namespaces, nodes from node groups, ConfigMaps, RBAC objects, the
//! add-ons' workloads, access and identity reviews).

pub mod api;
pub mod host;
pub mod nodes;
pub mod pki;
pub mod protobuf;
pub mod rbac;
pub mod subject;
pub mod token;

use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Which cluster an endpoint serves: `(account, region, name)`. The endpoint also remembers
/// the cluster's uid, so a cluster re-created under the same name never inherits an old listener.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EndpointKey {
    pub account: String,
    pub region: String,
    pub cluster: String,
}

/// Per emulator: how the Kubernetes endpoints check tokens.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KubeSettings {
    /// How old a token's `X-Amz-Date` may be, in emulator seconds (EKS: 15 minutes).
    pub token_max_age: f64,
}

impl Default for KubeSettings {
    fn default() -> KubeSettings {
        KubeSettings {
            token_max_age: token::DEFAULT_MAX_TOKEN_AGE,
        }
    }
}

/// `(resource, namespace or "" for cluster-scoped, name)`.
pub type ObjectKey = (String, String, String);

/// A cluster's Kubernetes side: its certificates, its port, who created it, and the
/// objects its API stores.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct KubeData {
    /// Distinguishes a cluster from an earlier one of the same name.
    pub uid: String,
    pub pki: Option<pki::ClusterPki>,
    pub port: Option<u16>,
    /// The IAM principal that called CreateCluster (the bootstrap admin).
    pub creator_arn: String,
    #[serde(with = "object_list")]
    pub objects: BTreeMap<ObjectKey, Value>,
    pub resource_version: u64,
    /// Set once the standard namespaces exist.
    pub seeded: bool,
}

pub const STANDARD_NAMESPACES: &[&str] =
    &["default", "kube-node-lease", "kube-public", "kube-system"];

impl KubeData {
    pub fn new(creator_arn: &str) -> KubeData {
        KubeData {
            uid: crate::util::uuid(),
            creator_arn: creator_arn.to_string(),
            ..KubeData::default()
        }
    }

    pub fn next_version(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    /// The four namespaces every cluster starts with, made on first use.
    pub fn seed(&mut self, now: f64) {
        if self.seeded {
            return;
        }
        self.seeded = true;
        for name in STANDARD_NAMESPACES {
            let object = json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            });
            let object = self.stamp(object, now);
            self.objects.insert(
                ("namespaces".into(), String::new(), (*name).to_string()),
                object,
            );
        }
    }

    /// Fills the server-set metadata of a new object.
    pub fn stamp(&mut self, mut object: Value, now: f64) -> Value {
        let version = self.next_version();
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("uid".into(), json!(crate::util::uuid()));
            meta.insert("resourceVersion".into(), json!(version));
            meta.insert("creationTimestamp".into(), json!(crate::util::rfc3339(now)));
        }
        object
    }
}

/// JSON has no tuple keys: the objects are saved as a list of `[resource, namespace, name,
/// object]`.
mod object_list {
    use super::ObjectKey;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::Value;
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        objects: &BTreeMap<ObjectKey, Value>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let list: Vec<(&str, &str, &str, &Value)> = objects
            .iter()
            .map(|((r, ns, n), v)| (r.as_str(), ns.as_str(), n.as_str(), v))
            .collect();
        list.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<ObjectKey, Value>, D::Error> {
        let list: Vec<(String, String, String, Value)> = Vec::deserialize(deserializer)?;
        Ok(list
            .into_iter()
            .map(|(r, ns, n, v)| ((r, ns, n), v))
            .collect())
    }
}
