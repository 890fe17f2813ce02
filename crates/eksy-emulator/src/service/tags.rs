//! Tags on every taggable resource ARN of the caller's account and region.

use super::context::Ctx;
use super::input::text;
use crate::error::AwsError;
use crate::kinds::{self, ArnKey, Store};
use crate::lifecycle::Tracked;
use crate::util::parse_arn;
use serde_json::{json, Map, Value};

const MAX_TAGS: usize = 50;

fn bad_request(message: impl Into<String>) -> AwsError {
    AwsError::new("BadRequestException", message)
}

/// The tracked resource an ARN names, checked against its full ARN. The ARN's resource type
/// picks the kind in the registry, which says where it is kept and which segment keys it.
fn resource<'a>(ctx: &'a mut Ctx, arn: &str) -> Result<&'a mut Tracked, AwsError> {
    let parsed = parse_arn(arn).ok_or_else(|| bad_request(format!("{arn} is not a valid ARN")))?;
    let not_found = || AwsError::new("NotFoundException", format!("Resource {arn} not found"));
    if parsed.account != ctx.account || parsed.region != ctx.region {
        return Err(not_found());
    }
    let kind = kinds::by_arn_type(&parsed.kind).ok_or_else(not_found)?;
    let Some(form) = kind.arn else {
        return Err(not_found());
    };
    let key = |at: usize| parsed.path.get(at).map(String::as_str);
    let resources = &mut *ctx.resources;
    let tracked: Option<&mut Tracked> = match kind.store {
        Store::Region => match (form.key, resources.children.of_mut(kind.name)) {
            (ArnKey::Segment(at), Some(kept)) => key(at).and_then(|id| kept.get_mut(id)),
            _ => None,
        },
        store => {
            let state = key(0)
                .and_then(|name| resources.clusters.get_mut(name))
                .ok_or_else(not_found)?;
            match (store, form.key) {
                (Store::Cluster, ArnKey::Cluster) if parsed.path.len() == 1 => {
                    Some(&mut state.cluster)
                }
                (Store::ClusterChild, ArnKey::Segment(at)) if at > 0 => {
                    match (key(at), state.children.of_mut(kind.name)) {
                        (Some(name), Some(children)) => children.get_mut(name),
                        _ => None,
                    }
                }
                (Store::AccessEntries, ArnKey::Search) if parsed.path.len() > 1 => state
                    .access_entries
                    .values_mut()
                    .map(|e| &mut e.entry)
                    .find(|e| e.get_str(form.member) == arn),
                _ => None,
            }
        }
    };
    tracked
        .filter(|t| t.get_str(form.member) == arn)
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
