//! Operation behaviour, hand-written per resource over shared helpers. Inputs and outputs
//! are JSON values keyed by model member names (the wire layer does the HTTP mapping).

mod access;
mod addons;
mod capabilities;
pub mod catalog;
mod certificate_authorities;
mod cluster_config;
mod cluster_updates;
mod clusters;
#[cfg(test)]
mod consistency_tests;
mod eks_auth;
mod fargate;
mod handlers;
pub mod idempotency;
mod identity_providers;
mod insights;
mod nodegroup_rules;
mod nodegroups;
mod pod_identity;
pub mod rules;
mod subscriptions;
mod tags;
mod updates;
pub mod versions;

use crate::error::AwsError;
use crate::state::{ClusterState, Outcome, RegionState, Scope, Timings, Tracked, UpdateRecord};
use crate::util;
use serde_json::{json, Map, Value};

/// What a handler sees: the settled resources of the caller's `(account, region)`.
pub struct Ctx<'a> {
    pub resources: &'a mut RegionState,
    pub timings: Timings,
    pub now: f64,
    pub account: &'a str,
    pub region: &'a str,
    /// The caller's IAM principal (canonical), e.g. the creator of a new cluster.
    pub principal: &'a str,
}

impl Ctx<'_> {
    pub fn arn(&self, resource: &str) -> String {
        util::arn(self.region, self.account, resource)
    }
}

// ---- input accessors -------------------------------------------------------------------

pub fn text<'a>(input: &'a Value, member: &str) -> &'a str {
    input.get(member).and_then(Value::as_str).unwrap_or("")
}

pub fn opt_text<'a>(input: &'a Value, member: &str) -> Option<&'a str> {
    input.get(member).and_then(Value::as_str)
}

pub fn present(input: &Value, member: &str) -> Option<Value> {
    input.get(member).filter(|v| !v.is_null()).cloned()
}

/// Copies the members present in `input` into `body`.
pub fn copy_members(body: &mut Map<String, Value>, input: &Value, members: &[&str]) {
    for member in members {
        if let Some(v) = present(input, member) {
            body.insert((*member).to_string(), v);
        }
    }
}

/// `{"key": value}` with `value` as JSON text when it is not already a string.
pub fn param(kind: &str, value: &Value) -> Value {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    json!({"type": kind, "value": text})
}

/// Merges `change` into `base`: objects key by key, anything else replaced.
pub fn merge(base: &Value, change: &Value) -> Value {
    match (base, change) {
        (Value::Object(b), Value::Object(c)) => {
            let mut out = b.clone();
            for (k, v) in c {
                let merged = merge(b.get(k).unwrap_or(&Value::Null), v);
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (_, change) => change.clone(),
    }
}

pub fn page_args(input: &Value) -> (Option<i64>, Option<&str>) {
    (
        input.get("maxResults").and_then(Value::as_i64),
        opt_text(input, "nextToken"),
    )
}

/// The key page tokens are sealed with: random per process, so tokens reveal nothing and
/// cannot be forged (a restarted emulator refuses the old ones, as they may be stale).
fn page_token_key() -> &'static str {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| util::random_hex(64))
}

fn hmac_hex(parts: &[&str]) -> String {
    aws_sigv4::sign::v4::calculate_signature(page_token_key(), parts.join("\n").as_bytes())
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The keystream (HMAC-SHA256 in counter mode) that hides a token's key.
fn keystream(nonce: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut block = 0u64;
    while out.len() < len {
        let counter = block.to_string();
        out.extend(unhex(&hmac_hex(&["stream", nonce, &counter])).unwrap_or_default());
        block += 1;
    }
    out.truncate(len);
    out
}

const NONCE_HEX: usize = 32;
const TAG_HEX: usize = 32;

/// An opaque page token for "continue after `last_key`" of the list `scope`: a random nonce,
/// the key encrypted under a keystream, and an HMAC over both (hex).
pub fn seal_page_token(scope: &str, last_key: &str) -> String {
    let nonce = util::random_hex(NONCE_HEX);
    let stream = keystream(&nonce, last_key.len());
    let sealed: String = last_key
        .bytes()
        .zip(stream)
        .map(|(b, k)| format!("{:02x}", b ^ k))
        .collect();
    let tag = hmac_hex(&["tag", scope, &nonce, &sealed]);
    format!("{nonce}{sealed}{}", &tag[..TAG_HEX])
}

/// The key a token of [`seal_page_token`] continues after, if the emulator issued it for
/// this list.
pub fn open_page_token(scope: &str, token: &str) -> Option<String> {
    if token.len() < NONCE_HEX + TAG_HEX || !token.is_ascii() {
        return None;
    }
    let (nonce, rest) = token.split_at(NONCE_HEX);
    let (sealed, tag) = rest.split_at(rest.len() - TAG_HEX);
    let expected = hmac_hex(&["tag", scope, nonce, sealed]);
    // Compare every byte, so timing does not tell how much of a forged tag was right.
    let same = expected.as_bytes()[..TAG_HEX]
        .iter()
        .zip(tag.as_bytes())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0;
    if !same {
        return None;
    }
    let bytes = unhex(sealed)?;
    let stream = keystream(nonce, bytes.len());
    String::from_utf8(bytes.iter().zip(stream).map(|(b, k)| b ^ k).collect()).ok()
}

/// One page of `items` (sorted by key) with an opaque token for the rest; `scope` names the
/// list so a token of one list is refused by another. `util::paginate` makes the page (its
/// own token only says whether more follow).
pub fn paginate<K: AsRef<str> + Clone, T>(
    scope: &str,
    items: impl IntoIterator<Item = (K, T)>,
    max_results: Option<i64>,
    next_token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), AwsError> {
    let after = match next_token {
        None => None,
        Some(token) => Some(
            open_page_token(scope, token)
                .ok_or_else(|| AwsError::invalid_parameter("The nextToken provided is invalid."))?,
        ),
    };
    let remaining = items
        .into_iter()
        .filter(|(key, _)| after.as_deref().is_none_or(|a| key.as_ref() > a))
        .map(|(key, item)| (key.clone(), (key, item)));
    let (page, more) = util::paginate(remaining, max_results, None)?;
    let token = match (more, page.last()) {
        (Some(_), Some((key, _))) => Some(seal_page_token(scope, key.as_ref())),
        _ => None,
    };
    Ok((page.into_iter().map(|(_, item)| item).collect(), token))
}

/// A paginated list of names (already sorted) as `{member: [...], nextToken}`.
pub fn name_page<'a>(
    names: impl Iterator<Item = &'a String>,
    input: &Value,
    member: &str,
) -> Result<Value, AwsError> {
    // Only the page's names are copied, not every name.
    let (max, token) = page_args(input);
    let (page, next) = paginate(member, names.map(|n| (n, n)), max, token)?;
    let page = page.into_iter().map(|n| Value::String(n.clone())).collect();
    Ok(page_object(member, page, next))
}

/// A paginated list of `(sort key, item)` pairs (sorted by key) as `{member: [...], nextToken}`.
pub fn item_page(
    items: Vec<(String, Value)>,
    input: &Value,
    member: &str,
) -> Result<Value, AwsError> {
    let (max, token) = page_args(input);
    let (page, next) = paginate(member, items, max, token)?;
    Ok(page_object(member, page, next))
}

fn page_object(member: &str, page: Vec<Value>, next: Option<String>) -> Value {
    let mut out = Map::new();
    out.insert(member.into(), Value::Array(page));
    if let Some(next) = next {
        out.insert("nextToken".into(), Value::String(next));
    }
    Value::Object(out)
}

/// `{name: value}`, without the serialization round trip `json!` makes of a borrowed value.
pub fn single(name: &str, value: Value) -> Value {
    let mut out = Map::new();
    out.insert(name.into(), value);
    Value::Object(out)
}

/// `body` with its object members in `members` left out (internal bookkeeping such as the
/// `modifiedAt` a settled transition stamps on shapes that do not model it).
pub fn without(body: &Value, members: &[&str]) -> Value {
    match body {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !members.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Only the listed members of `body` (a summary shape of a full resource body).
pub fn pick(body: &Value, members: &[&str]) -> Value {
    let mut out = Map::new();
    copy_members(&mut out, body, members);
    Value::Object(out)
}

/// A resource without a lifecycle, kept as `Tracked` so tags and lookups treat it alike.
pub fn untracked(body: Value) -> Tracked {
    Tracked {
        body,
        pending: None,
    }
}

// ---- lookups -----------------------------------------------------------------------------

pub fn cluster_not_found(name: &str) -> AwsError {
    AwsError::not_found(format!("No cluster found for name: {name}.")).field("clusterName", name)
}

pub fn cluster<'a>(
    resources: &'a mut RegionState,
    name: &str,
) -> Result<&'a mut ClusterState, AwsError> {
    resources
        .clusters
        .get_mut(name)
        .ok_or_else(|| cluster_not_found(name))
}

/// The cluster, which must be `ACTIVE` or `UPDATING` to accept configuration such as access
/// entries and pod identity associations (these do not wait for cluster updates).
pub fn live_cluster<'a>(
    resources: &'a mut RegionState,
    name: &str,
) -> Result<&'a mut ClusterState, AwsError> {
    let state = cluster(resources, name)?;
    match state.cluster.status() {
        "ACTIVE" | "UPDATING" => Ok(state),
        other => Err(AwsError::invalid_request(format!(
            "Cluster {name} is in {other} status; it must be ACTIVE."
        ))
        .field("clusterName", name)),
    }
}

/// The cluster, which must be `ACTIVE` to accept child resources and updates.
pub fn active_cluster<'a>(
    resources: &'a mut RegionState,
    name: &str,
) -> Result<&'a mut ClusterState, AwsError> {
    let state = cluster(resources, name)?;
    match state.cluster.status() {
        "ACTIVE" => Ok(state),
        "UPDATING" => Err(AwsError::in_use(format!(
            "Cluster {name} is currently being updated; try again once it is ACTIVE."
        ))
        .field("clusterName", name)),
        other => Err(AwsError::invalid_request(format!(
            "Cluster {name} is in {other} status; it must be ACTIVE."
        ))
        .field("clusterName", name)),
    }
}

/// Errors for an update on a resource that is not in a state to accept one:
/// `ResourceInUseException` while it is updating, `InvalidRequestException` in other states.
pub fn require_updatable(
    resource: &Tracked,
    kind: &str,
    field: &str,
    name: &str,
    cluster: &str,
) -> Result<(), AwsError> {
    require_updatable_or(
        resource,
        kind,
        field,
        name,
        cluster,
        AwsError::invalid_request,
    )
}

/// [`require_updatable`] for operations that do not list `InvalidRequestException`:
/// `state_error` makes the error for states other than `UPDATING`.
pub fn require_updatable_or(
    resource: &Tracked,
    kind: &str,
    field: &str,
    name: &str,
    cluster: &str,
    state_error: fn(String) -> AwsError,
) -> Result<(), AwsError> {
    match rules::not_updatable(resource.status(), kind, name, state_error) {
        None => Ok(()),
        Some(error) => Err(error.field("clusterName", cluster).field(field, name)),
    }
}

/// Starts an update of type `kind` on a resource: creates the Update record (InProgress,
/// then Successful when the resource's transition completes) and puts the resource in
/// `UPDATING` with the changes in `patch` applied at the end.
pub fn start_update(
    state: &mut ClusterState,
    scope: Scope,
    kind: &str,
    params: Vec<Value>,
    patch: Map<String, Value>,
    now: f64,
    delay: f64,
) -> Value {
    let id = util::uuid();
    let body = json!({
        "id": id,
        "status": "InProgress",
        "type": kind,
        "params": params,
        "createdAt": now,
        "errors": [],
    });
    let update = Tracked::born(body, "InProgress", "Successful", now, delay);
    let view = update.body.clone();
    let resource = match &scope {
        Scope::Cluster => Some(&mut state.cluster),
        Scope::Nodegroup(name) => state.nodegroups.get_mut(name),
        Scope::Addon(name) => state.addons.get_mut(name),
        Scope::Capability(name) => state.capabilities.get_mut(name),
    };
    if let Some(resource) = resource {
        resource.begin(
            "UPDATING",
            Outcome::Status("ACTIVE".into()),
            patch,
            Some(id),
            now,
            delay,
        );
    }
    state.updates.push(UpdateRecord { scope, update });
    view
}

/// Starts a deletion (status `DELETING`, gone after `delay`); a resource already being
/// deleted is left as it is. Returns the body as it is now.
pub fn start_delete(resource: &mut Tracked, now: f64, delay: f64) -> Value {
    if resource.status() != "DELETING" {
        resource.begin("DELETING", Outcome::Remove, Map::new(), None, now, delay);
    }
    resource.body.clone()
}

/// Tags given at creation, defaulting to an empty map as AWS returns.
pub fn initial_tags(input: &Value) -> Value {
    present(input, "tags").unwrap_or_else(|| json!({}))
}
