//! Cluster certificate authorities and their rotation: create (append a successor), activate,
//! delete (each a `CertificateAuthorityUpdate` of the cluster), describe, list.
//!
//! A cluster starts with the CA EKS created for it (`IN_USE`), added on first use from the
//! cluster's `certificateAuthority.data`. The tracked `status` of a CA is its
//! `distributionStatus` (`IN_PROGRESS → COMPLETE`, `DELETING → gone`).

use super::context::{cluster, require_updatable_or, start_update, Ctx};
use super::input::{param, pick, text, without};
use crate::error::AwsError;
use crate::lifecycle::{set_member, Outcome, Tracked};
use crate::state::{ClusterState, RegionState, Scope};
use crate::util::uuid;
use serde_json::{json, Map, Value};

const DAY: f64 = 86_400.0;
/// Cluster CA certificates are valid for ten years.
const VALIDITY: f64 = 3_650.0 * DAY;
/// A cluster holds the signing CA and at most one successor.
const MAX_AUTHORITIES: usize = 2;

const SUMMARY: &[&str] = &[
    "id",
    "createdAt",
    "createdBy",
    "activatedAt",
    "activatedBy",
    "signingStatus",
    "distributionStatus",
];

fn not_found(cluster: &str, id: &str) -> AwsError {
    AwsError::not_found(format!("No certificate authority found with id: {id}."))
        .field("clusterName", cluster)
}

fn invalid(cluster: &str, message: impl Into<String>) -> AwsError {
    AwsError::invalid_parameter(message).field("clusterName", cluster)
}

/// The `CertificateAuthority` wire form.
fn view(ca: &Tracked) -> Value {
    let mut body = without(&ca.body, &["status", "modifiedAt"]);
    set_member(&mut body, "distributionStatus", json!(ca.status()));
    body
}

fn summary(ca: &Tracked) -> Value {
    pick(&view(ca), SUMMARY)
}

/// The cluster's CAs, seeded with the one EKS created with the cluster.
fn authorities<'a>(
    resources: &'a mut RegionState,
    cluster_name: &str,
) -> Result<&'a mut ClusterState, AwsError> {
    let state = cluster(resources, cluster_name)?;
    if state.children.certificate_authorities.is_empty() {
        let data = state
            .cluster
            .body
            .pointer("/certificateAuthority/data")
            .cloned();
        let created = state.cluster.body.get("createdAt").and_then(Value::as_f64);
        if let (Some(data), Some(created)) = (data, created) {
            let id = uuid();
            let body = json!({
                "id": id,
                "createdAt": created,
                "createdBy": "EKS",
                "activatedAt": created,
                "activatedBy": "EKS",
                "signingStatus": "IN_USE",
                "status": "COMPLETE",
                "validity": {"notBefore": created, "notAfter": created + VALIDITY},
                "rollbackAvailable": false,
                "data": data,
            });
            state
                .children
                .certificate_authorities
                .insert(id, super::context::untracked(body));
        }
    }
    Ok(state)
}

fn authority<'a>(
    state: &'a mut ClusterState,
    cluster: &str,
    id: &str,
) -> Result<&'a mut Tracked, AwsError> {
    state
        .children
        .certificate_authorities
        .get_mut(id)
        .ok_or_else(|| not_found(cluster, id))
}

fn signing_not_after(state: &ClusterState) -> Option<f64> {
    state
        .children
        .certificate_authorities
        .values()
        .find(|ca| ca.get_str("signingStatus") == "IN_USE")
        .and_then(|ca| ca.body.pointer("/validity/notAfter"))
        .and_then(Value::as_f64)
}

fn ca_update(
    state: &mut ClusterState,
    params: Vec<Value>,
    patch: Map<String, Value>,
    now: f64,
    delay: f64,
) -> Value {
    start_update(
        state,
        Scope::Cluster,
        "CertificateAuthorityUpdate",
        params,
        patch,
        now,
        delay,
    )
}

pub fn create(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let state = authorities(ctx.resources, cluster_name)?;
    require_updatable_or(
        &state.cluster,
        "Cluster",
        "clusterName",
        cluster_name,
        cluster_name,
        AwsError::in_use,
    )?;
    if state.children.certificate_authorities.len() >= MAX_AUTHORITIES {
        return Err(AwsError::new(
            "ResourceLimitExceededException",
            "A cluster can have at most two certificate authorities; delete the successor or complete the rotation first.",
        )
        .field("clusterName", cluster_name));
    }
    let outgoing_expiry = signing_not_after(state).unwrap_or(ctx.now + VALIDITY);
    let id = uuid();
    let body = json!({
        "id": id,
        "createdAt": ctx.now,
        "createdBy": "CUSTOMER",
        "signingStatus": "NOT_USED",
        "validity": {"notBefore": ctx.now, "notAfter": ctx.now + VALIDITY},
        "scheduledEvents": {
            "firstAutoActivation": (outgoing_expiry - 180.0 * DAY).max(ctx.now),
            "finalAutoActivation": (outgoing_expiry - 30.0 * DAY).max(ctx.now),
        },
        "rollbackAvailable": false,
        "data": super::clusters::certificate_data(),
    });
    let ca = Tracked::born(
        body,
        "IN_PROGRESS",
        "COMPLETE",
        ctx.now,
        ctx.timings.certificate_authority_update,
    );
    let out = summary(&ca);
    state
        .children
        .certificate_authorities
        .insert(id.clone(), ca);
    let params = vec![
        param("CertificateAuthorityId", &json!(id)),
        param("SigningStatus", &json!("NOT_USED")),
    ];
    let update = ca_update(
        state,
        params,
        Map::new(),
        ctx.now,
        ctx.timings.certificate_authority_update,
    );
    Ok(json!({ "update": update, "certificateAuthority": out }))
}

pub fn describe(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, id) = (
        text(input, "clusterName"),
        text(input, "certificateAuthorityId"),
    );
    let state = authorities(ctx.resources, cluster_name)?;
    Ok(json!({ "certificateAuthority": view(authority(state, cluster_name, id)?) }))
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let state = authorities(ctx.resources, text(input, "clusterName"))?;
    // Oldest first: the signing CA, then its successor.
    let mut items: Vec<(String, Value)> = state
        .children
        .certificate_authorities
        .iter()
        .map(|(id, ca)| {
            let created = ca
                .body
                .get("createdAt")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            (format!("{created:020.6}/{id}"), summary(ca))
        })
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    super::paging::item_page(items, input, "certificateAuthorities")
}

pub fn activate(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, id) = (
        text(input, "clusterName"),
        text(input, "certificateAuthorityId"),
    );
    let state = authorities(ctx.resources, cluster_name)?;
    let successor = authority(state, cluster_name, id)?;
    match (successor.get_str("signingStatus"), successor.status()) {
        ("NOT_USED", "COMPLETE") => {}
        ("NOT_USED", distribution) => {
            return Err(invalid(
                cluster_name,
                format!("Certificate authority {id} can't be activated until its distributionStatus is COMPLETE (it is {distribution})."),
            ))
        }
        (signing, _) => {
            return Err(invalid(
                cluster_name,
                format!("Certificate authority {id} is already {signing}."),
            ))
        }
    }
    let data = successor.body.get("data").cloned().unwrap_or(Value::Null);
    // ActivateCertificateAuthority lists neither InvalidRequest nor ResourceInUse.
    require_updatable_or(
        &state.cluster,
        "Cluster",
        "clusterName",
        cluster_name,
        cluster_name,
        AwsError::invalid_parameter,
    )
    .map_err(|e| {
        if e.code == "ResourceInUseException" {
            AwsError::invalid_parameter(e.message).field("clusterName", cluster_name)
        } else {
            e
        }
    })?;
    let done = ctx.now + ctx.timings.certificate_authority_update;
    for (ca_id, ca) in state.children.certificate_authorities.iter_mut() {
        let mut patch = Map::new();
        if ca_id == id {
            set_member(&mut ca.body, "signingStatus", json!("ACTIVATING"));
            patch.insert("signingStatus".into(), json!("IN_USE"));
            patch.insert("activatedAt".into(), json!(done));
            patch.insert("activatedBy".into(), json!("CUSTOMER"));
            patch.insert("rollbackAvailable".into(), json!(false));
        } else if ca.get_str("signingStatus") == "IN_USE" {
            // The outgoing CA stays trusted; rolling back to it is possible for a while.
            patch.insert("signingStatus".into(), json!("NOT_USED"));
            patch.insert("rollbackAvailable".into(), json!(true));
        } else {
            continue;
        }
        let status = ca.status().to_string();
        ca.begin(
            &status,
            Outcome::Status(status.clone()),
            patch,
            None,
            ctx.now,
            ctx.timings.certificate_authority_update,
        );
    }
    let out = state
        .children
        .certificate_authorities
        .get(id)
        .map(summary)
        .unwrap_or(Value::Null);
    let params = vec![
        param("ActiveCertificateAuthority", &json!(id)),
        param("CertificateAuthorityId", &json!(id)),
        param("SigningStatus", &json!("IN_USE")),
    ];
    let mut cluster_patch = Map::new();
    cluster_patch.insert("certificateAuthority".into(), json!({ "data": data }));
    let update = ca_update(
        state,
        params,
        cluster_patch,
        ctx.now,
        ctx.timings.certificate_authority_update,
    );
    Ok(json!({ "update": update, "certificateAuthority": out }))
}

pub fn delete(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, id) = (
        text(input, "clusterName"),
        text(input, "certificateAuthorityId"),
    );
    let state = authorities(ctx.resources, cluster_name)?;
    let ca = authority(state, cluster_name, id)?;
    match ca.get_str("signingStatus") {
        "NOT_USED" => {}
        signing => {
            return Err(AwsError::in_use(format!(
                "Certificate authority {id} is {signing} and can't be deleted; activate its successor first."
            ))
            .field("clusterName", cluster_name))
        }
    }
    if ca.status() == "DELETING" {
        return Err(AwsError::in_use(format!(
            "Certificate authority {id} is already being deleted."
        ))
        .field("clusterName", cluster_name));
    }
    require_updatable_or(
        &state.cluster,
        "Cluster",
        "clusterName",
        cluster_name,
        cluster_name,
        AwsError::in_use,
    )?;
    let ca = authority(state, cluster_name, id)?;
    ca.begin(
        "DELETING",
        Outcome::Remove,
        Map::new(),
        None,
        ctx.now,
        ctx.timings.certificate_authority_update,
    );
    let out = summary(ca);
    let params = vec![param("CertificateAuthorityId", &json!(id))];
    let update = ca_update(
        state,
        params,
        Map::new(),
        ctx.now,
        ctx.timings.certificate_authority_update,
    );
    Ok(json!({ "update": update, "certificateAuthority": out }))
}
