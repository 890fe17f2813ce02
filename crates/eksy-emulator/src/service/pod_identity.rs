//! EKS Pod Identity associations: create, describe, list, update, delete.

use super::context::{cluster, initial_tags, live_cluster, untracked, Ctx};
use super::input::{copy_members, opt_text, pick, present, text};
use super::paging::item_page;
use crate::error::AwsError;
use crate::lifecycle::{set_member, Tracked};
use crate::state::ClusterState;
use crate::util::uuid;
use serde_json::{json, Map, Value};

const SUMMARY: &[&str] = &[
    "clusterName",
    "namespace",
    "serviceAccount",
    "associationArn",
    "associationId",
    "ownerArn",
];

/// `a-` and 17 lowercase letters and digits, as EKS writes association ids.
fn association_id() -> String {
    let chars = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let tail: String = (0..17)
        .map(|_| char::from(chars[fastrand::usize(..chars.len())]))
        .collect();
    format!("a-{tail}")
}

fn not_found(cluster: &str, id: &str) -> AwsError {
    AwsError::not_found(format!("Pod Identity Association {id} not found"))
        .field("clusterName", cluster)
}

fn invalid(cluster: &str, message: impl Into<String>) -> AwsError {
    AwsError::invalid_parameter(message).field("clusterName", cluster)
}

fn association<'a>(
    state: &'a mut ClusterState,
    cluster: &str,
    id: &str,
) -> Result<&'a mut Tracked, AwsError> {
    state
        .children
        .pod_identity_associations
        .get_mut(id)
        .ok_or_else(|| not_found(cluster, id))
}

/// The association of a service account, if any (used by EKS Auth too).
pub fn find<'a>(
    state: &'a ClusterState,
    namespace: &str,
    service_account: &str,
) -> Option<&'a Tracked> {
    state.children.pod_identity_associations.values().find(|a| {
        a.get_str("namespace") == namespace && a.get_str("serviceAccount") == service_account
    })
}

fn check_role(cluster: &str, member: &str, arn: &str) -> Result<(), AwsError> {
    if super::rules::is_role_arn(arn) {
        Ok(())
    } else {
        Err(invalid(
            cluster,
            format!("The {member} {arn} is not a valid IAM role ARN."),
        ))
    }
}

fn check_policy(cluster: &str, input: &Value) -> Result<(), AwsError> {
    match opt_text(input, "policy") {
        Some(policy) if serde_json::from_str::<Map<String, Value>>(policy).is_err() => Err(
            invalid(cluster, "The policy must be a JSON IAM policy document."),
        ),
        _ => Ok(()),
    }
}

pub fn create(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let (namespace, service_account) = (text(input, "namespace"), text(input, "serviceAccount"));
    let now = ctx.now;
    let id = association_id();
    let arn = ctx.arn(&format!("podidentityassociation/{cluster_name}/{id}"));
    let state = live_cluster(ctx.resources, cluster_name)?;
    check_role(cluster_name, "roleArn", text(input, "roleArn"))?;
    if let Some(target) = opt_text(input, "targetRoleArn") {
        check_role(cluster_name, "targetRoleArn", target)?;
    }
    check_policy(cluster_name, input)?;
    if !super::rules::is_dns_label(namespace) {
        return Err(invalid(
            cluster_name,
            format!("The namespace {namespace} is invalid: it must be a valid RFC 1123 DNS label."),
        ));
    }
    if !super::rules::is_dns_subdomain(service_account) {
        return Err(invalid(
            cluster_name,
            format!("The service account {service_account} is invalid: it must be a valid RFC 1123 DNS subdomain."),
        ));
    }
    super::rules::check_tags(input).map_err(|e| e.field("clusterName", cluster_name))?;
    if find(state, namespace, service_account).is_some() {
        return Err(AwsError::in_use(format!(
            "Association already exists for namespace {namespace} and service account {service_account}"
        ))
        .field("clusterName", cluster_name));
    }
    let mut body = Map::new();
    body.insert("clusterName".into(), json!(cluster_name));
    body.insert("namespace".into(), json!(namespace));
    body.insert("serviceAccount".into(), json!(service_account));
    body.insert("roleArn".into(), json!(text(input, "roleArn")));
    body.insert("associationArn".into(), json!(arn));
    body.insert("associationId".into(), json!(id));
    body.insert("tags".into(), initial_tags(input));
    body.insert("createdAt".into(), json!(now));
    body.insert("modifiedAt".into(), json!(now));
    body.insert(
        "disableSessionTags".into(),
        present(input, "disableSessionTags").unwrap_or(json!(false)),
    );
    copy_members(&mut body, input, &["targetRoleArn", "policy"]);
    if body.contains_key("targetRoleArn") {
        // The target role's trust policy matches this id as sts:ExternalId.
        body.insert("externalId".into(), json!(uuid()));
    }
    let view = Value::Object(body);
    state
        .children
        .pod_identity_associations
        .insert(id, untracked(view.clone()));
    Ok(json!({ "association": view }))
}

pub fn describe(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, id) = (text(input, "clusterName"), text(input, "associationId"));
    let state = cluster(ctx.resources, cluster_name)?;
    Ok(json!({ "association": association(state, cluster_name, id)?.body }))
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let namespace = opt_text(input, "namespace");
    let service_account = opt_text(input, "serviceAccount");
    let state = cluster(ctx.resources, cluster_name)?;
    let items = state
        .children
        .pod_identity_associations
        .iter()
        .filter(|(_, a)| namespace.is_none_or(|n| a.get_str("namespace") == n))
        .filter(|(_, a)| service_account.is_none_or(|s| a.get_str("serviceAccount") == s))
        .map(|(id, a)| (id.clone(), pick(&a.body, SUMMARY)))
        .collect();
    item_page(items, input, "associations")
}

pub fn update(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, id) = (text(input, "clusterName"), text(input, "associationId"));
    let now = ctx.now;
    let state = cluster(ctx.resources, cluster_name)?;
    let found = association(state, cluster_name, id)?;
    let mut changes = Map::new();
    copy_members(
        &mut changes,
        input,
        &["roleArn", "targetRoleArn", "disableSessionTags", "policy"],
    );
    if changes.is_empty() {
        return Err(invalid(
            cluster_name,
            "At least one of roleArn, targetRoleArn, disableSessionTags or policy must be changed.",
        ));
    }
    for member in ["roleArn", "targetRoleArn"] {
        // An empty targetRoleArn removes the target role.
        if let Some(arn) = opt_text(input, member).filter(|a| !a.is_empty()) {
            check_role(cluster_name, member, arn)?;
        }
    }
    check_policy(cluster_name, input)?;
    let Value::Object(body) = &mut found.body else {
        return Err(AwsError::server("association body is not an object"));
    };
    match changes.remove("targetRoleArn") {
        Some(Value::String(target)) if target.is_empty() => {
            body.remove("targetRoleArn");
            body.remove("externalId");
        }
        Some(target) => {
            body.insert("targetRoleArn".into(), target);
            body.entry("externalId").or_insert_with(|| json!(uuid()));
        }
        None => {}
    }
    body.extend(changes);
    set_member(&mut found.body, "modifiedAt", json!(now));
    Ok(json!({ "association": found.body }))
}

pub fn delete(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, id) = (text(input, "clusterName"), text(input, "associationId"));
    let state = cluster(ctx.resources, cluster_name)?;
    let removed = state
        .children
        .pod_identity_associations
        .remove(id)
        .ok_or_else(|| not_found(cluster_name, id))?;
    Ok(json!({ "association": removed.body }))
}
