//! Data the service answers from, with no behaviour of its own: the Kubernetes version catalog
//! (per region, replaceable by a control), the add-on catalog and the EKS access policies.

pub mod access_policies;
pub mod addons;
pub mod version_args;
pub mod versions;
