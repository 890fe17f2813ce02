//! What the emulator holds, as one JSON value for the page (and the `overview` control):
//! regions with their clusters, children, statuses and pending transitions, the active
//! faults, and the most recent requests with their outcome. Never a secret.

use crate::lifecycle::Tracked;
use crate::state::State;
use serde_json::{json, Value};

/// How many recent requests the overview shows.
pub const RECENT_REQUESTS: usize = 50;

fn pending(tracked: &Tracked) -> Value {
    match &tracked.pending {
        Some(p) => json!({
            "status": match &p.outcome {
                crate::lifecycle::Outcome::Status(status) => Value::from(status.as_str()),
                crate::lifecycle::Outcome::Remove => Value::from("gone"),
            },
            "at": p.at,
        }),
        None => Value::Null,
    }
}

fn child(name: &str, tracked: &Tracked) -> Value {
    json!({"name": name, "status": tracked.status(), "pending": pending(tracked)})
}

pub fn overview(state: &mut State, endpoint: &str) -> Value {
    state.tick();
    let now = state.now();
    let mut regions: Vec<Value> = state
        .regions
        .iter()
        .filter(|(_, r)| !r.clusters.is_empty() || !r.children.subscriptions.is_empty())
        .map(|((account, region), resources)| {
            let clusters: Vec<Value> = resources
                .clusters
                .iter()
                .map(|(name, c)| {
                    let nodegroups: Vec<Value> = c
                        .children.nodegroups
                        .iter()
                        .map(|(n, ng)| {
                            let mut v = child(n, ng);
                            v["desired_size"] = ng
                                .body
                                .pointer("/scalingConfig/desiredSize")
                                .cloned()
                                .unwrap_or(Value::Null);
                            v
                        })
                        .collect();
                    let addons: Vec<Value> = c
                        .children.addons
                        .iter()
                        .map(|(n, a)| {
                            let mut v = child(n, a);
                            v["version"] = json!(a.get_str("addonVersion"));
                            v
                        })
                        .collect();
                    let access_entries: Vec<Value> = c
                        .access_entries
                        .iter()
                        .map(|(principal, e)| {
                            let policies: Vec<&str> = e
                                .policies
                                .keys()
                                .map(|arn| arn.rsplit('/').next().unwrap_or(arn))
                                .collect();
                            json!({"principal_arn": principal, "type": e.entry.get_str("type"), "policies": policies})
                        })
                        .collect();
                    json!({
                        "name": name,
                        "status": c.cluster.status(),
                        "version": c.cluster.get_str("version"),
                        "endpoint": c.cluster.body.get("endpoint").cloned().unwrap_or(Value::Null),
                        "pending": pending(&c.cluster),
                        "nodegroups": nodegroups,
                        "fargate_profiles": c.children.fargate_profiles.iter().map(|(n, f)| child(n, f)).collect::<Vec<_>>(),
                        "addons": addons,
                        "access_entries": access_entries,
                        // Every cluster child kind of the registry, so a new kind shows up.
                        "resource_counts": c.children.counts().into_iter().map(|(kind, n)| (kind.to_string(), json!(n))).collect::<serde_json::Map<String, Value>>(),
                    })
                })
                .collect();
            let subscriptions: Vec<Value> = resources
                .children.subscriptions
                .iter()
                .map(|(id, s)| json!({"id": id, "status": s.status()}))
                .collect();
            json!({"account_id": account, "region": region, "clusters": clusters, "subscriptions": subscriptions})
        })
        .collect();
    regions.sort_by_key(|r| (r["account_id"].to_string(), r["region"].to_string()));
    let faults = &state.faults;
    let queued: serde_json::Map<String, Value> = faults
        .queued
        .iter()
        .map(|(op, q)| (op.clone(), json!(q.len())))
        .collect();
    let requests: Vec<Value> = state
        .requests
        .iter()
        .rev()
        .take(RECENT_REQUESTS)
        .map(|r| {
            json!({
                "time": r.time,
                "operation": r.operation,
                "method": r.request.method,
                "path": r.request.path,
                "status": r.status,
                "error_code": r.error_code,
                "account_id": r.account,
                "region": r.region,
            })
        })
        .collect();
    json!({
        "now": now,
        "endpoint": format!("http://{endpoint}"),
        "regions": regions,
        "faults": {
            "queued": queued,
            "latency": faults.latency,
            "error_rates": faults.error_rates.iter().map(|(op, r)| (op.clone(), json!(r.rate))).collect::<serde_json::Map<_, _>>(),
            "drops": faults.drops.iter().map(|(op, d)| (op.clone(), json!(d.rate))).collect::<serde_json::Map<_, _>>(),
        },
        "requests": requests,
    })
}
