//! Access policies associated with access entries, and the catalog of policies.

use super::access::{entry, invalid};
use super::context::{cluster, Ctx};
use super::input::{present, text};
use super::paging::item_page;
use crate::catalogs::access_policies::{access_policy_arn, is_access_policy, ACCESS_POLICIES};
use crate::error::AwsError;
use crate::lifecycle::set_member;
use serde_json::{json, Value};

pub fn associate_policy(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, principal) = (text(input, "clusterName"), text(input, "principalArn"));
    let policy = text(input, "policyArn");
    let scope = present(input, "accessScope").unwrap_or_else(|| json!({}));
    let now = ctx.now;
    let state = cluster(ctx.resources, cluster_name)?;
    let found = entry(state, cluster_name, principal)?;
    let kind = found.entry.get_str("type");
    if kind != "STANDARD" {
        return Err(AwsError::invalid_request(format!(
            "Access policies can't be associated with access entries of type {kind}."
        ))
        .field("clusterName", cluster_name));
    }
    if !is_access_policy(policy) {
        return Err(invalid(
            cluster_name,
            format!("The policyArn {policy} is not a valid access policy; see ListAccessPolicies."),
        ));
    }
    let namespaces = scope
        .get("namespaces")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    match (scope.get("type").and_then(Value::as_str), namespaces) {
        (Some("cluster"), 0) | (Some("namespace"), 1..) => {}
        (Some("cluster"), _) => {
            return Err(invalid(
                cluster_name,
                "namespaces can't be specified for an access scope of type cluster.",
            ))
        }
        _ => {
            return Err(invalid(
                cluster_name,
                "An access scope of type namespace needs at least one namespace.",
            ))
        }
    }
    // Associating again replaces the scope and keeps the original association time.
    let associated_at = found
        .policies
        .get(policy)
        .and_then(|p| p.get("associatedAt").cloned())
        .unwrap_or_else(|| json!(now));
    let associated = json!({
        "policyArn": policy,
        "accessScope": scope,
        "associatedAt": associated_at,
        "modifiedAt": now,
    });
    found
        .policies
        .insert(policy.to_string(), associated.clone());
    Ok(json!({
        "clusterName": cluster_name,
        "principalArn": principal,
        "associatedAccessPolicy": associated,
    }))
}

pub fn disassociate_policy(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, principal) = (text(input, "clusterName"), text(input, "principalArn"));
    let policy = text(input, "policyArn");
    let state = cluster(ctx.resources, cluster_name)?;
    let found = entry(state, cluster_name, principal)?;
    found.policies.remove(policy).ok_or_else(|| {
        AwsError::not_found(format!(
            "The access policy {policy} is not associated with the access entry {principal}."
        ))
        .field("clusterName", cluster_name)
    })?;
    Ok(json!({}))
}

pub fn list_associated_policies(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, principal) = (text(input, "clusterName"), text(input, "principalArn"));
    let state = cluster(ctx.resources, cluster_name)?;
    let found = entry(state, cluster_name, principal)?;
    let items = found
        .policies
        .iter()
        .map(|(arn, p)| (arn.clone(), p.clone()))
        .collect();
    let mut out = item_page(items, input, "associatedAccessPolicies")?;
    set_member(&mut out, "clusterName", json!(cluster_name));
    set_member(&mut out, "principalArn", json!(principal));
    Ok(out)
}

pub fn list_policies(input: &Value) -> Result<Value, AwsError> {
    let items = ACCESS_POLICIES
        .iter()
        .map(|name| {
            (
                (*name).to_string(),
                json!({"name": name, "arn": access_policy_arn(name)}),
            )
        })
        .collect();
    item_page(items, input, "accessPolicies")
}
