//! What the resource-kind registry says of each kind (`registry/resource_kinds.json`; the table
//! is generated into `generated/kinds.rs`), and the lookups that read it: where a kind is kept,
//! its ARN's form, and the status a test may force on it.

pub use crate::resource_kinds::KINDS;

/// Where the emulator keeps resources of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// The region's clusters, by name.
    Cluster,
    /// A map of the cluster by name or id (`ClusterChildren`, a field per kind).
    ClusterChild,
    /// The cluster's updates, in creation order, by id.
    Updates,
    /// The cluster's access entries, by principal ARN.
    AccessEntries,
    /// A map of the region (`field`).
    Region,
}

/// Which part of an ARN's path (after the resource type) names the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArnKey {
    /// The ARN is the cluster's own (`cluster/NAME`).
    Cluster,
    /// Segment `n` of the path (0 is the cluster's name for cluster children).
    Segment(usize),
    /// Compare whole ARNs: the path does not carry the key.
    Search,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnForm {
    /// The ARN's resource type (`nodegroup` in `...:nodegroup/CLUSTER/NAME/UUID`).
    pub resource_type: &'static str,
    /// The body member holding the ARN.
    pub member: &'static str,
    pub key: ArnKey,
}

/// Where a forced failure is described.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// `health.issues`.
    Health,
    /// An update's `errors`.
    Errors,
    /// Nowhere: the shape has no health.
    Nothing,
}

/// How `force_status` treats a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusForm {
    /// The model enum its `status` takes.
    pub model_enum: &'static str,
    /// The health issue (or update error) code of a forced failure.
    pub failure_code: &'static str,
    /// The `force_status` argument that names it (`cluster` for clusters).
    pub name_arg: &'static str,
    pub report: Report,
}

#[derive(Debug)]
pub struct ResourceKind {
    pub name: &'static str,
    pub store: Store,
    /// None when it is not taggable.
    pub arn: Option<ArnForm>,
    /// None when `force_status` does not apply.
    pub status: Option<StatusForm>,
    /// The `Timings` fields its lifecycle takes.
    pub timings: &'static [&'static str],
}

/// The kind of this name.
pub fn kind(name: &str) -> Option<&'static ResourceKind> {
    KINDS.iter().find(|k| k.name == name)
}

/// The kind whose ARNs have this resource type.
pub fn by_arn_type(resource_type: &str) -> Option<&'static ResourceKind> {
    KINDS
        .iter()
        .find(|k| k.arn.is_some_and(|a| a.resource_type == resource_type))
}

/// Every lifecycle timing name, kind by kind (`set_timings` names them in its errors).
pub fn timing_names() -> impl Iterator<Item = &'static str> {
    KINDS.iter().flat_map(|k| k.timings.iter().copied())
}

/// The names of the kinds `force_status` applies to, for its error message.
pub fn forceable() -> Vec<&'static str> {
    KINDS
        .iter()
        .filter(|k| k.status.is_some())
        .map(|k| k.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timings::Timings;

    #[test]
    fn every_timing_belongs_to_one_kind_and_exists() {
        let fields = serde_json::to_value(Timings::default()).unwrap();
        let fields = fields.as_object().unwrap();
        let named: Vec<&str> = timing_names().collect();
        assert_eq!(named.len(), fields.len());
        for name in named {
            assert!(fields.contains_key(name), "{name}");
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(
            by_arn_type("fargateprofile").unwrap().name,
            "fargate_profile"
        );
        assert!(kind("nodegroup").unwrap().status.is_some());
    }
}
