//! Emulator state: the clock, lifecycle timings, resources per `(account, region)`, and
//! lazily-applied lifecycle transitions.

use crate::identity::Identities;
use crate::kube::host::KubeHost;
use crate::kube::{KubeData, KubeSettings};
use crate::wire::WireRequest;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The longest lifecycle step: a year is more than any EKS operation takes.
pub const MAX_TIMING_SECONDS: f64 = 365.0 * 86_400.0;

/// Seconds of emulator clock each lifecycle transition takes. Zero (the default) makes a
/// transition complete by the next request: the create, update or delete response shows
/// the transitional status (CREATING, UPDATING, DELETING) as AWS's does, and the next read
/// the settled one, so waiters finish on their first poll. `Timings::realistic` is closer
/// to what AWS takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timings {
    pub cluster_create: f64,
    pub cluster_update: f64,
    pub cluster_delete: f64,
    pub nodegroup_create: f64,
    pub nodegroup_update: f64,
    pub nodegroup_delete: f64,
    pub fargate_profile_create: f64,
    pub fargate_profile_delete: f64,
    pub addon_create: f64,
    pub addon_update: f64,
    pub addon_delete: f64,
    pub capability_create: f64,
    pub capability_update: f64,
    pub capability_delete: f64,
    pub subscription_create: f64,
    pub subscription_delete: f64,
    /// Creating, activating or deleting a certificate authority (one cluster update each).
    pub certificate_authority_update: f64,
    pub insights_refresh: f64,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings::instant()
    }
}

impl Timings {
    /// Every transition completes by the next request.
    pub fn instant() -> Timings {
        Timings::uniform(0.0)
    }

    fn uniform(seconds: f64) -> Timings {
        Timings {
            cluster_create: seconds,
            cluster_update: seconds,
            cluster_delete: seconds,
            nodegroup_create: seconds,
            nodegroup_update: seconds,
            nodegroup_delete: seconds,
            fargate_profile_create: seconds,
            fargate_profile_delete: seconds,
            addon_create: seconds,
            addon_update: seconds,
            addon_delete: seconds,
            capability_create: seconds,
            capability_update: seconds,
            capability_delete: seconds,
            subscription_create: seconds,
            subscription_delete: seconds,
            certificate_authority_update: seconds,
            insights_refresh: seconds,
        }
    }

    /// Roughly what AWS takes (typical figures from EKS's own guidance and experience:
    /// a control plane in about ten minutes, node groups in three to four).
    pub fn realistic() -> Timings {
        Timings {
            cluster_create: 600.0,
            cluster_update: 480.0,
            cluster_delete: 300.0,
            nodegroup_create: 210.0,
            nodegroup_update: 420.0,
            nodegroup_delete: 240.0,
            fargate_profile_create: 120.0,
            fargate_profile_delete: 120.0,
            addon_create: 60.0,
            addon_update: 60.0,
            addon_delete: 45.0,
            capability_create: 300.0,
            capability_update: 180.0,
            capability_delete: 180.0,
            subscription_create: 30.0,
            subscription_delete: 30.0,
            certificate_authority_update: 600.0,
            insights_refresh: 60.0,
        }
    }

    /// Overrides fields from a JSON object of `{name: seconds}`; `"all"` sets every field.
    pub fn merged(&self, changes: &Value) -> Result<Timings, String> {
        let Some(changes) = changes.as_object() else {
            return Err("timings must be a JSON object of {name: seconds}".into());
        };
        let mut fields = match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        // A preset first, then "all", so specific names given alongside them win.
        if let Some(preset) = changes.get("preset") {
            let base = match preset.as_str() {
                Some("instant") => Timings::instant(),
                Some("realistic") => Timings::realistic(),
                _ => return Err("preset must be \"instant\" or \"realistic\"".into()),
            };
            if let Ok(Value::Object(map)) = serde_json::to_value(base) {
                fields = map;
            }
        }
        let mut ordered: Vec<(&String, &Value)> =
            changes.iter().filter(|(k, _)| *k != "preset").collect();
        ordered.sort_by_key(|(k, _)| *k != "all");
        for (key, value) in ordered {
            let seconds = value
                .as_f64()
                .filter(|s| (0.0..=MAX_TIMING_SECONDS).contains(s))
                .ok_or_else(|| {
                    format!(
                        "timing {key} must be between 0 and {MAX_TIMING_SECONDS} seconds (a year)"
                    )
                })?;
            if key == "all" {
                fields.values_mut().for_each(|v| *v = Value::from(seconds));
            } else if fields.contains_key(key) {
                fields.insert(key.clone(), Value::from(seconds));
            } else {
                let known: Vec<&String> = fields.keys().collect();
                return Err(format!(
                    "unknown timing {key:?}; known: {known:?}, \"all\" and \"preset\""
                ));
            }
        }
        serde_json::from_value(Value::Object(fields)).map_err(|e| e.to_string())
    }
}

/// What happens when a pending transition is due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Status(String),
    Remove,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub at: f64,
    pub outcome: Outcome,
    /// Top-level members merged into the body when the transition completes (for example
    /// the new `version` of a cluster update), so reads during the transition show old values.
    pub patch: Map<String, Value>,
    /// The update that completes with this transition.
    pub update_id: Option<String>,
}

/// A resource body in the model's output wire form, plus its pending transition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tracked {
    pub body: Value,
    pub pending: Option<Pending>,
}

impl Tracked {
    /// A resource that starts in `initial` and reaches `settled` after `delay` seconds. With
    /// no delay the create response still shows `initial`, as AWS's does, and the next read
    /// sees `settled` (so a waiter's first poll succeeds).
    pub fn born(mut body: Value, initial: &str, settled: &str, now: f64, delay: f64) -> Tracked {
        set_member(&mut body, "status", Value::from(initial));
        Tracked {
            body,
            pending: Some(Pending {
                at: now + delay.max(0.0),
                outcome: Outcome::Status(settled.to_string()),
                patch: Map::new(),
                update_id: None,
            }),
        }
    }

    pub fn status(&self) -> &str {
        self.body
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn get_str(&self, member: &str) -> &str {
        self.body.get(member).and_then(Value::as_str).unwrap_or("")
    }

    /// Starts a transition: status `during` now, then `outcome` after `delay` seconds. A zero
    /// delay is due at once and applied by the next settle (the next request).
    pub fn begin(
        &mut self,
        during: &str,
        outcome: Outcome,
        patch: Map<String, Value>,
        update_id: Option<String>,
        now: f64,
        delay: f64,
    ) {
        set_member(&mut self.body, "status", Value::from(during));
        self.pending = Some(Pending {
            at: now + delay,
            outcome,
            patch,
            update_id,
        });
    }

    /// Applies a due transition. Returns true when the resource is now gone.
    pub fn settle(&mut self, now: f64) -> bool {
        let Some(pending) = self.pending.take_if(|p| p.at <= now) else {
            return false;
        };
        if let Value::Object(body) = &mut self.body {
            body.extend(pending.patch);
            body.insert("modifiedAt".into(), Value::from(pending.at));
        }
        match pending.outcome {
            Outcome::Status(status) => {
                set_member(&mut self.body, "status", Value::from(status));
                false
            }
            Outcome::Remove => true,
        }
    }

    /// `settle`, then lowers `next_due` to the transition still pending, if any.
    fn settle_noting_next(&mut self, now: f64, next_due: &mut f64) -> bool {
        let gone = self.settle(now);
        if let Some(pending) = &self.pending {
            *next_due = next_due.min(pending.at);
        }
        gone
    }

    /// Forces a status, dropping any pending transition.
    pub fn force(&mut self, status: &str) {
        self.pending = None;
        set_member(&mut self.body, "status", Value::from(status));
    }
}

pub fn set_member(body: &mut Value, name: &str, value: Value) {
    if let Value::Object(map) = body {
        map.insert(name.to_string(), value);
    }
}

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
    pub nodegroups: BTreeMap<String, Tracked>,
    pub fargate_profiles: BTreeMap<String, Tracked>,
    pub addons: BTreeMap<String, Tracked>,
    /// In creation order.
    pub updates: Vec<UpdateRecord>,
    /// By principal ARN.
    pub access_entries: BTreeMap<String, AccessEntryState>,
    /// By association id; bodies carry no status (pending is always None).
    pub pod_identity_associations: BTreeMap<String, Tracked>,
    /// OIDC configs by name.
    pub identity_provider_configs: BTreeMap<String, Tracked>,
    pub capabilities: BTreeMap<String, Tracked>,
    /// By id. The tracked `status` mirrors the CA's `distributionStatus`.
    pub certificate_authorities: BTreeMap<String, Tracked>,
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
    pub fn new(cluster: Tracked) -> ClusterState {
        ClusterState {
            cluster,
            nodegroups: BTreeMap::new(),
            fargate_profiles: BTreeMap::new(),
            addons: BTreeMap::new(),
            updates: Vec::new(),
            access_entries: BTreeMap::new(),
            pod_identity_associations: BTreeMap::new(),
            identity_provider_configs: BTreeMap::new(),
            capabilities: BTreeMap::new(),
            certificate_authorities: BTreeMap::new(),
            insights_refresh: None,
            kube: KubeData::new(""),
        }
    }

    /// Applies due transitions; returns true when the cluster itself is gone. Lowers
    /// `next_due` to the earliest transition still pending.
    fn settle(&mut self, now: f64, next_due: &mut f64) -> bool {
        for children in [
            &mut self.nodegroups,
            &mut self.fargate_profiles,
            &mut self.addons,
            &mut self.identity_provider_configs,
            &mut self.capabilities,
            &mut self.certificate_authorities,
        ] {
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
    /// EKS Anywhere subscriptions by id.
    pub subscriptions: BTreeMap<String, Tracked>,
    /// Idempotency tokens of the region's requests (service::idempotency).
    #[serde(default)]
    pub idempotency: crate::service::idempotency::Tokens,
    /// The region's Kubernetes version catalog (service::versions).
    #[serde(default)]
    pub versions: crate::service::versions::Catalog,
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
        self.subscriptions
            .retain(|_, s| !s.settle_noting_next(now, &mut next_due));
        self.settled = SettleMark {
            current: true,
            next_due,
        };
    }
}

/// A request as recorded for the `requests` control. It shares the received request, so
/// recording costs no copy; the body is parsed only when the control asks for it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Sequence number, to note the outcome on once the response is made.
    pub id: u64,
    /// None when the request matched no operation.
    pub operation: Option<&'static str>,
    pub request: Arc<WireRequest>,
    pub account: String,
    pub region: String,
    pub time: f64,
    /// The answer's HTTP status, once it is known (None for a dropped connection).
    pub status: Option<u16>,
    pub error_code: Option<String>,
}

impl Serialize for RecordedRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let req = &self.request;
        let body = &req.body;
        // The JSON body, or the raw text when it is not JSON, or null when empty.
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
        };
        let headers: BTreeMap<&str, &str> = req
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut map = serializer.serialize_map(Some(11))?;
        map.serialize_entry("operation", &self.operation)?;
        map.serialize_entry("method", &req.method)?;
        map.serialize_entry("path", &req.path)?;
        map.serialize_entry("query", &req.query)?;
        map.serialize_entry("headers", &headers)?;
        map.serialize_entry("body", &body)?;
        map.serialize_entry("account", &self.account)?;
        map.serialize_entry("region", &self.region)?;
        map.serialize_entry("time", &self.time)?;
        map.serialize_entry("status", &self.status)?;
        map.serialize_entry("error_code", &self.error_code)?;
        map.end()
    }
}

/// The most requests kept for the `requests` control; older ones are forgotten first, so
/// a long-running emulator does not grow without bound.
pub const MAX_RECORDED_REQUESTS: usize = 10_000;
/// The most body bytes kept across recorded requests (oldest forgotten first): at the 8 MiB
/// body limit, a few hundred big requests would otherwise hold gigabytes.
pub const MAX_RECORDED_BYTES: usize = 64 * 1024 * 1024;

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
    pub requests: VecDeque<RecordedRequest>,
    /// Body bytes held by `requests`.
    pub recorded_bytes: usize,
    pub faults: crate::faults::Faults,
    pub next_request_id: u64,
    pub identities: Identities,
    pub kube_settings: KubeSettings,
    /// Verify every request's SigV4 signature against the identity registry.
    pub strict: bool,
    /// Something persisted changed since the state file was last written.
    pub save_pending: bool,
    /// The Kubernetes endpoints being served (sockets and tasks, not data).
    pub kube: KubeHost,
}

impl State {
    /// Keeps a request for the `requests` control; returns its id.
    pub fn record(&mut self, mut request: RecordedRequest) -> u64 {
        self.next_request_id += 1;
        request.id = self.next_request_id;
        let size = request.request.body.len();
        while !self.requests.is_empty()
            && (self.requests.len() >= MAX_RECORDED_REQUESTS
                || self.recorded_bytes + size > MAX_RECORDED_BYTES)
        {
            if let Some(old) = self.requests.pop_front() {
                self.recorded_bytes -= old.request.body.len();
            }
        }
        self.recorded_bytes += size;
        self.requests.push_back(request);
        self.next_request_id
    }

    /// Forgets every recorded request and gives their memory back.
    pub fn clear_requests(&mut self) {
        self.requests = VecDeque::new();
        self.recorded_bytes = 0;
    }

    /// Notes the answer of a recorded request (searched from the newest: it is near the end).
    pub fn note_outcome(&mut self, id: u64, status: u16, error_code: Option<String>) {
        if let Some(request) = self.requests.iter_mut().rev().find(|r| r.id == id) {
            request.status = Some(status);
            request.error_code = error_code;
        }
    }

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
    use serde_json::json;

    #[test]
    fn transitions_apply_lazily() {
        let mut t = Tracked::born(json!({"name": "a"}), "CREATING", "ACTIVE", 100.0, 1.0);
        assert_eq!(t.status(), "CREATING");
        assert!(!t.settle(100.5));
        assert_eq!(t.status(), "CREATING");
        assert!(!t.settle(101.0));
        assert_eq!(t.status(), "ACTIVE");
        let patch = json!({"version": "1.31"}).as_object().cloned().unwrap();
        t.begin(
            "UPDATING",
            Outcome::Status("ACTIVE".into()),
            patch,
            None,
            200.0,
            1.0,
        );
        assert_eq!(t.body.get("version"), None);
        t.settle(201.0);
        assert_eq!(t.body["version"], "1.31");
        t.begin("DELETING", Outcome::Remove, Map::new(), None, 300.0, 0.0);
        assert!(t.settle(300.0));
    }

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

    #[test]
    fn recording_keeps_the_most_recent_requests() {
        let mut state = State::default();
        for i in 0..MAX_RECORDED_REQUESTS + 5 {
            state.record(RecordedRequest {
                id: 0,
                status: None,
                error_code: None,
                operation: None,
                request: Arc::new(WireRequest {
                    path: format!("/{i}"),
                    ..WireRequest::default()
                }),
                account: String::new(),
                region: String::new(),
                time: 0.0,
            });
        }
        assert_eq!(state.requests.len(), MAX_RECORDED_REQUESTS);
        assert_eq!(state.requests[0].request.path, "/5");
        let shown = serde_json::to_value(&state.requests[0]).unwrap();
        assert_eq!(shown["path"], "/5");
        assert_eq!(shown["body"], Value::Null);
    }

    #[test]
    fn timings_merge() {
        let t = Timings::default()
            .merged(&json!({"all": 0, "cluster_create": 2.5}))
            .unwrap();
        assert_eq!(t.cluster_create, 2.5);
        assert_eq!(t.addon_delete, 0.0);
        assert!(Timings::default().merged(&json!({"bogus": 1})).is_err());
        assert!(Timings::default()
            .merged(&json!({"addon_create": -1}))
            .is_err());
    }
}
