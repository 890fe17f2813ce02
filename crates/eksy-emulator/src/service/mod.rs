//! Operation behaviour, hand-written per resource over shared helpers. Inputs and outputs
//! are JSON values keyed by model member names (the wire layer does the HTTP mapping).

mod access;
mod access_policies;
mod addons;
mod capabilities;
mod certificate_authorities;
mod cluster_config;
mod cluster_updates;
mod clusters;
#[cfg(test)]
mod consistency_tests;
mod context;
mod eks_auth;
mod fargate;
mod handlers;
pub mod idempotency;
mod identity_providers;
mod input;
mod insight_checks;
mod insights;
mod nodegroup_rules;
mod nodegroup_updates;
mod nodegroups;
mod paging;
mod pod_identity;
pub mod rules;
mod subscriptions;
mod tags;
mod updates;
mod versions;

pub use context::Ctx;
