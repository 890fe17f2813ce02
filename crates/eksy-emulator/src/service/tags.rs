//! Tags on every taggable resource ARN of the caller's account and region.

use super::{text, Ctx};
use crate::error::AwsError;
use crate::state::Tracked;
use crate::util::parse_arn;
use serde_json::{json, Map, Value};

const MAX_TAGS: usize = 50;

fn bad_request(message: impl Into<String>) -> AwsError {
    AwsError::new("BadRequestException", message)
}

/// The tracked resource an ARN names, checked against its full ARN.
fn resource<'a>(ctx: &'a mut Ctx, arn: &str) -> Result<&'a mut Tracked, AwsError> {
    let parsed = parse_arn(arn).ok_or_else(|| bad_request(format!("{arn} is not a valid ARN")))?;
    let not_found = || AwsError::new("NotFoundException", format!("Resource {arn} not found"));
    if parsed.account != ctx.account || parsed.region != ctx.region {
        return Err(not_found());
    }
    if parsed.kind == "eks-anywhere-subscription" {
        return ctx
            .resources
            .subscriptions
            .get_mut(&parsed.path[0])
            .filter(|s| s.get_str("arn") == arn)
            .ok_or_else(not_found);
    }
    let (cluster_name, child) = (parsed.path[0].as_str(), parsed.path.get(1));
    let state = ctx
        .resources
        .clusters
        .get_mut(cluster_name)
        .ok_or_else(not_found)?;
    let (tracked, arn_member) = match (parsed.kind.as_str(), child) {
        ("cluster", None) => (Some(&mut state.cluster), "arn"),
        ("nodegroup", Some(name)) => (state.nodegroups.get_mut(name), "nodegroupArn"),
        ("fargateprofile", Some(name)) => {
            (state.fargate_profiles.get_mut(name), "fargateProfileArn")
        }
        ("addon", Some(name)) => (state.addons.get_mut(name), "addonArn"),
        ("podidentityassociation", Some(id)) => (
            state.pod_identity_associations.get_mut(id),
            "associationArn",
        ),
        ("capability", Some(name)) => (state.capabilities.get_mut(name), "arn"),
        // identityproviderconfig/CLUSTER/oidc/NAME/UUID
        ("identityproviderconfig", Some(_)) => (
            parsed
                .path
                .get(2)
                .and_then(|name| state.identity_provider_configs.get_mut(name)),
            "identityProviderConfigArn",
        ),
        // access-entry/CLUSTER/role|user/ACCOUNT/NAME/UUID: keyed by principal, so search.
        ("access-entry", Some(_)) => (
            state
                .access_entries
                .values_mut()
                .map(|e| &mut e.entry)
                .find(|e| e.get_str("accessEntryArn") == arn),
            "accessEntryArn",
        ),
        _ => (None, ""),
    };
    tracked
        .filter(|t| t.get_str(arn_member) == arn)
        .ok_or_else(not_found)
}

/// The resource's tag map, created empty when missing.
fn tags_of(tracked: &mut Tracked) -> Result<&mut Map<String, Value>, AwsError> {
    let Value::Object(body) = &mut tracked.body else {
        return Err(AwsError::server("resource body is not an object"));
    };
    let tags = body.entry("tags").or_insert_with(|| json!({}));
    if !tags.is_object() {
        *tags = json!({});
    }
    tags.as_object_mut()
        .ok_or_else(|| AwsError::server("resource tags are not an object"))
}

pub fn tag(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let arn = text(input, "resourceArn").to_string();
    let new_tags = input
        .get("tags")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(tag) = super::rules::reserved_tag(&new_tags) {
        return Err(bad_request(format!(
            "Tag keys and values starting with 'aws:' are reserved for AWS use: {tag}"
        )));
    }
    let tags = tags_of(resource(ctx, &arn)?)?;
    let total = tags
        .keys()
        .chain(new_tags.keys().filter(|k| !tags.contains_key(*k)))
        .count();
    if total > MAX_TAGS {
        return Err(bad_request(format!(
            "A resource can have at most {MAX_TAGS} tags"
        )));
    }
    tags.extend(new_tags);
    Ok(json!({}))
}

pub fn untag(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let arn = text(input, "resourceArn").to_string();
    let reserved = input
        .get("tagKeys")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|k| k.to_ascii_lowercase().starts_with("aws:"));
    if let Some(key) = reserved {
        return Err(bad_request(format!(
            "Tag keys starting with 'aws:' are reserved for AWS use and can't be removed: {key}"
        )));
    }
    let tags = tags_of(resource(ctx, &arn)?)?;
    for key in input
        .get("tagKeys")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(key) = key.as_str() {
            tags.remove(key);
        }
    }
    Ok(json!({}))
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let arn = text(input, "resourceArn").to_string();
    let tags = tags_of(resource(ctx, &arn)?)?.clone();
    Ok(json!({ "tags": tags }))
}
