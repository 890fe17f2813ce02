//! The store: resources per `(account, region)` (clusters with their children, subscriptions,
//! idempotency tokens, the version catalog), the clock, and the lifecycle walk over them. The
//! kinds of resource are the registry's (`generated/kinds.rs`); transitions are `lifecycle`'s.

use crate::identity::Identities;
use crate::kube::{EndpointKey, KubeData, KubeSettings};
use crate::lifecycle::Tracked;
use crate::recording::RequestLog;
use crate::resource_kinds::{ClusterChildren, RegionChildren};
use crate::timings::Timings;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

/// Which resource an update belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Scope {
    Cluster,
    Nodegroup(String),
    Addon(String),
    Capability(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateRecord {
    pub scope: Scope,
    pub update: Tracked,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterState {
    pub cluster: Tracked,
    /// Node groups, Fargate profiles, add-ons and the registry's other cluster children.
    #[serde(flatten)]
    pub children: ClusterChildren,
    /// In creation order.
    pub updates: Vec<UpdateRecord>,
    /// By principal ARN.
    pub access_entries: BTreeMap<String, AccessEntryState>,
    pub insights_refresh: Option<InsightsRefresh>,
    /// Its Kubernetes side: certificates, port, creator, stored objects.
    pub kube: KubeData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessEntryState {
    pub entry: Tracked,
    /// Associated access policies by policy ARN, in the `AssociatedAccessPolicy` wire form.
    pub policies: BTreeMap<String, Value>,
}

/// The latest on-demand insights refresh of a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InsightsRefresh {
    pub started_at: f64,
    pub ends_at: f64,
}

impl ClusterState {
    /// Whether its Kubernetes API is served: in these statuses, and not for connected clusters.
    pub fn serves_kube_api(&self) -> bool {
        matches!(self.cluster.status(), "ACTIVE" | "UPDATING")
            && self.cluster.body.get("connectorConfig").is_none()
    }

    pub fn new(cluster: Tracked) -> ClusterState {
        ClusterState {
            cluster,
            children: ClusterChildren::default(),
            updates: Vec::new(),
            access_entries: BTreeMap::new(),
            insights_refresh: None,
            kube: KubeData::new(""),
        }
    }

    /// Applies due transitions; returns true when the cluster itself is gone. Lowers
    /// `next_due` to the earliest transition still pending.
    fn settle(&mut self, now: f64, next_due: &mut f64) -> bool {
        for children in self.children.all_mut() {
            children.retain(|_, child| !child.settle_noting_next(now, next_due));
        }
        for record in &mut self.updates {
            record.update.settle_noting_next(now, next_due);
        }
        self.cluster.settle_noting_next(now, next_due)
    }
}

/// Resources of one `(account, region)`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionState {
    pub clusters: BTreeMap<String, ClusterState>,
    /// EKS Anywhere subscriptions and the registry's other region-level kinds.
    #[serde(flatten)]
    pub children: RegionChildren,
    /// Idempotency tokens of the region's requests (service::idempotency).
    #[serde(default)]
    pub idempotency: crate::service::idempotency::Tokens,
    /// The region's Kubernetes version catalog (service::versions).
    #[serde(default)]
    pub versions: crate::catalogs::versions::Catalog,
    /// Lets a request skip walking every resource when no transition can be due.
    #[serde(skip)]
    settled: SettleMark,
    /// Clusters whose Kubernetes endpoint may have to open or close (see `KubeHost::sync`).
    #[serde(skip)]
    pub kube_dirty: BTreeSet<String>,
}

/// What the last full walk of a region found.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct SettleMark {
    /// False before any walk and after a change that may have scheduled a transition.
    current: bool,
    /// The earliest transition left pending (infinity when none).
    next_due: f64,
}

impl RegionState {
    /// Says that resources may have changed (an operation that writes ran), so the next
    /// settle walks them again instead of trusting the last walk's next-due time.
    pub fn changed(&mut self) {
        self.settled.current = false;
    }

    pub fn settle(&mut self, now: f64) {
        if self.settled.current && now < self.settled.next_due {
            return;
        }
        let mut next_due = f64::INFINITY;
        let mut changed = Vec::new();
        self.clusters.retain(|name, c| {
            let due = c.cluster.pending.as_ref().is_some_and(|p| p.at <= now);
            let gone = c.settle(now, &mut next_due);
            if due {
                changed.push(name.clone());
            }
            !gone
        });
        self.kube_dirty.extend(changed);
        for kept in self.children.all_mut() {
            kept.retain(|_, s| !s.settle_noting_next(now, &mut next_due));
        }
        self.settled = SettleMark {
            current: true,
            next_due,
        };
    }
}

/// Wall-clock seconds since the epoch.
pub fn wall_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Everything mutable, behind one mutex.
#[derive(Debug, Default)]
pub struct State {
    pub clock_offset: f64,
    pub timings: Timings,
    pub regions: HashMap<(String, String), RegionState>,
    pub requests: RequestLog,
    pub faults: crate::faults::Faults,
    pub identities: Identities,
    pub kube_settings: KubeSettings,
    /// Verify every request's SigV4 signature against the identity registry.
    pub strict: bool,
    /// Something persisted changed since the state file was last written.
    pub save_pending: bool,
    /// The Kubernetes endpoints being served (sockets and tasks, not data).
    pub kube: Box<dyn EndpointHost>,
}

/// What serves the clusters' Kubernetes endpoints (`kube::host::KubeHost`, given at start).
/// State calls it after every settle, under the same lock, so an endpoint is open by the time
/// a read shows its cluster ACTIVE, and closed once it shows it gone.
pub trait EndpointHost: Send + std::fmt::Debug {
    /// Opens or closes the endpoints of the region's clusters noted in `kube_dirty`.
    fn sync(&mut self, account: &str, region: &str, resources: &mut RegionState);
    /// Closes every endpoint (at stop, and before a restore).
    fn stop_all(&mut self);
    /// The endpoints open now, with their ports.
    fn ports(&self) -> Vec<(EndpointKey, u16)>;
}

/// No endpoints at all: state built outside a running emulator (unit tests).
#[derive(Debug, Default)]
pub struct NoEndpoints;

impl EndpointHost for NoEndpoints {
    fn sync(&mut self, _: &str, _: &str, resources: &mut RegionState) {
        resources.kube_dirty.clear();
    }
    fn stop_all(&mut self) {}
    fn ports(&self) -> Vec<(EndpointKey, u16)> {
        Vec::new()
    }
}

impl Default for Box<dyn EndpointHost> {
    fn default() -> Box<dyn EndpointHost> {
        Box::new(NoEndpoints)
    }
}

impl State {
    pub fn now(&self) -> f64 {
        wall_now() + self.clock_offset
    }

    /// The settled resources of `(account, region)`.
    pub fn region(&mut self, account: &str, region: &str) -> &mut RegionState {
        let now = self.now();
        let state = self
            .regions
            .entry((account.to_string(), region.to_string()))
            .or_default();
        state.settle(now);
        self.kube.sync(account, region, state);
        state
    }

    /// Applies due transitions everywhere and opens or closes Kubernetes endpoints (the
    /// emulator's ticker calls it, so endpoints follow the clock without a request).
    pub fn tick(&mut self) {
        let now = self.now();
        for ((account, region), state) in &mut self.regions {
            state.settle(now);
            self.kube.sync(account, region, state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::Outcome;
    use serde_json::{json, Map};

    #[test]
    fn region_walk_sees_transitions_scheduled_after_a_quiet_walk() {
        let mut region = RegionState::default();
        region.settle(10.0);
        assert_eq!(region.settled.next_due, f64::INFINITY);
        let cluster = Tracked::born(json!({"name": "a"}), "CREATING", "ACTIVE", 10.0, 1.0);
        region
            .clusters
            .insert("a".into(), ClusterState::new(cluster));
        region.changed();
        region.settle(10.5);
        assert_eq!(region.clusters["a"].cluster.status(), "CREATING");
        assert_eq!(region.settled.next_due, 11.0);
        region.settle(11.0);
        assert_eq!(region.clusters["a"].cluster.status(), "ACTIVE");
        let cluster = &mut region.clusters.get_mut("a").unwrap().cluster;
        cluster.begin("DELETING", Outcome::Remove, Map::new(), None, 20.0, 0.0);
        region.changed();
        region.settle(20.0);
        assert!(region.clusters.is_empty());
    }
}
