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

/// Per emulator: how the Kubernetes endpoints check tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
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
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KubeData {
    /// Distinguishes a cluster from an earlier one of the same name.
    pub uid: String,
    pub pki: Option<pki::ClusterPki>,
    pub port: Option<u16>,
    /// The IAM principal that called CreateCluster (the bootstrap admin).
    pub creator_arn: String,
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
