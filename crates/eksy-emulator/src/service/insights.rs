//! Cluster insights: upgrade-readiness checks for the next Kubernetes minor, evaluated from
//! the cluster's current state (its version, node groups, add-ons, health) whenever they are
//! read; ids are stable per cluster and check. On-demand refreshes run on the emulator clock.

use super::context::{cluster, Ctx};
use super::input::{pick, text};
use super::insight_checks::{insights, SUMMARY};
use super::paging::item_page;
use crate::error::AwsError;
use crate::state::InsightsRefresh;
use serde_json::{json, Value};

fn matches(filter: &Value, member: &str, value: &Value) -> bool {
    match filter.get(member).and_then(Value::as_array) {
        Some(wanted) if !wanted.is_empty() => wanted.contains(value),
        _ => true,
    }
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let now = ctx.now;
    let catalog = ctx.resources.versions.clone();
    let state = cluster(ctx.resources, text(input, "clusterName"))?;
    let filter = input.get("filter").cloned().unwrap_or_else(|| json!({}));
    let items = insights(state, &catalog, now)
        .into_iter()
        .filter(|i| matches(&filter, "categories", &i["category"]))
        .filter(|i| matches(&filter, "kubernetesVersions", &i["kubernetesVersion"]))
        .filter(|i| matches(&filter, "statuses", &i["insightStatus"]["status"]))
        .map(|i| {
            (
                i["name"].as_str().unwrap_or("").to_string(),
                pick(&i, SUMMARY),
            )
        })
        .collect();
    item_page(items, input, "insights")
}

pub fn describe(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, id) = (text(input, "clusterName"), text(input, "id"));
    let now = ctx.now;
    let catalog = ctx.resources.versions.clone();
    let state = cluster(ctx.resources, cluster_name)?;
    let insight = insights(state, &catalog, now)
        .into_iter()
        .find(|i| i["id"] == id)
        .ok_or_else(|| {
            AwsError::not_found(format!("No insight found with id: {id}."))
                .field("clusterName", cluster_name)
        })?;
    Ok(json!({ "insight": insight }))
}

fn refresh_view(refresh: InsightsRefresh, now: f64) -> Value {
    if refresh.ends_at <= now {
        json!({
            "status": "COMPLETED",
            "message": "Insights refresh completed.",
            "startedAt": refresh.started_at,
            "endedAt": refresh.ends_at,
        })
    } else {
        json!({
            "status": "IN_PROGRESS",
            "message": "Insights refresh is in progress.",
            "startedAt": refresh.started_at,
        })
    }
}

pub fn start_refresh(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let state = cluster(ctx.resources, text(input, "clusterName"))?;
    // A refresh already running is reported rather than restarted.
    let refresh = match state.insights_refresh {
        Some(running) if running.ends_at > ctx.now => running,
        _ => InsightsRefresh {
            started_at: ctx.now,
            ends_at: ctx.now + ctx.timings.insights_refresh,
        },
    };
    state.insights_refresh = Some(refresh);
    let view = refresh_view(refresh, ctx.now);
    Ok(json!({"status": view["status"], "message": view["message"]}))
}

pub fn describe_refresh(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let now = ctx.now;
    let state = cluster(ctx.resources, cluster_name)?;
    let refresh = state.insights_refresh.ok_or_else(|| {
        AwsError::not_found(format!(
            "No insights refresh has been started for cluster {cluster_name}."
        ))
        .field("clusterName", cluster_name)
    })?;
    Ok(refresh_view(refresh, now))
}
