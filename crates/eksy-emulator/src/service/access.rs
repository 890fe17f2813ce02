//! Access entries: create, describe, list, update, delete (their policies are `access_policies`).

use super::context::{cluster, initial_tags, live_cluster, untracked, Ctx};
use super::input::{copy_members, opt_text, present, text};
use super::paging::name_page;
use crate::catalogs::access_policies::access_policy_arn;
use crate::error::AwsError;
use crate::lifecycle::set_member;
use crate::state::{AccessEntryState, ClusterState};
use crate::util::uuid;
use serde_json::{json, Map, Value};

const TYPES: &[&str] = &[
    "STANDARD",
    "FARGATE_LINUX",
    "EC2_LINUX",
    "EC2_WINDOWS",
    "EC2",
    "HYBRID_LINUX",
    "HYPERPOD_LINUX",
];

/// Node types: EKS manages their groups and username; no groups or policies of your own.
fn is_node_type(kind: &str) -> bool {
    matches!(
        kind,
        "EC2_LINUX" | "EC2_WINDOWS" | "FARGATE_LINUX" | "HYBRID_LINUX"
    )
}

pub(super) fn not_found(cluster: &str, principal: &str) -> AwsError {
    AwsError::not_found(format!(
        "The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'. principalArn: {principal}"
    ))
    .field("clusterName", cluster)
}

pub(super) fn invalid(cluster: &str, message: impl Into<String>) -> AwsError {
    AwsError::invalid_parameter(message).field("clusterName", cluster)
}

pub(super) fn entry<'a>(
    state: &'a mut ClusterState,
    cluster: &str,
    principal: &str,
) -> Result<&'a mut AccessEntryState, AwsError> {
    state
        .access_entries
        .get_mut(principal)
        .ok_or_else(|| not_found(cluster, principal))
}

/// `(account, "role" | "user", name)` of an IAM role or user ARN (the name without its path).
fn parse_principal(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn
        .strip_prefix("arn:aws:iam::")
        .or_else(|| arn.strip_prefix("arn:aws-cn:iam::"))
        .or_else(|| arn.strip_prefix("arn:aws-us-gov:iam::"))?;
    let (account, resource) = rest.split_once(':')?;
    let (kind, path) = resource.split_once('/')?;
    let name = path.rsplit('/').next().filter(|n| !n.is_empty())?;
    let valid = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (valid && matches!(kind, "role" | "user")).then_some((account, kind, name))
}

/// Clusters in `CONFIG_MAP` mode authenticate through the aws-auth ConfigMap only.
pub(super) fn require_api_mode(state: &ClusterState, cluster: &str) -> Result<(), AwsError> {
    let mode = state
        .cluster
        .body
        .pointer("/accessConfig/authenticationMode")
        .and_then(Value::as_str);
    if mode == Some("CONFIG_MAP") {
        return Err(AwsError::invalid_request(
            "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.",
        )
        .field("clusterName", cluster));
    }
    Ok(())
}

fn default_username(
    kind: &str,
    account: &str,
    principal_kind: &str,
    name: &str,
    arn: &str,
) -> String {
    match kind {
        "EC2_LINUX" | "EC2_WINDOWS" | "EC2" => "system:node:{{EC2PrivateDNSName}}".into(),
        "FARGATE_LINUX" | "HYBRID_LINUX" => "system:node:{{SessionName}}".into(),
        "HYPERPOD_LINUX" => "system:node:hyperpod-{{ClusterId}}-{{InstanceId}}".into(),
        _ if principal_kind == "role" => {
            format!("arn:aws:sts::{account}:assumed-role/{name}/{{{{SessionName}}}}")
        }
        _ => arn.to_string(),
    }
}

fn default_groups(kind: &str) -> Value {
    match kind {
        "EC2_LINUX" | "EC2_WINDOWS" | "FARGATE_LINUX" | "HYBRID_LINUX" => json!(["system:nodes"]),
        _ => json!([]),
    }
}

/// Usernames EKS reserves for itself and AWS.
const RESERVED_USERNAME_PREFIXES: [&str; 5] = ["system:", "eks:", "aws:", "amazon:", "iam:"];

fn check_username(cluster: &str, input: &Value) -> Result<(), AwsError> {
    let Some(username) = opt_text(input, "username") else {
        return Ok(());
    };
    if let Some(prefix) = RESERVED_USERNAME_PREFIXES
        .iter()
        .find(|p| username.to_ascii_lowercase().starts_with(**p))
    {
        return Err(invalid(
            cluster,
            format!("The username {username} is invalid: usernames can't start with {prefix}"),
        ));
    }
    Ok(())
}

fn check_groups(cluster: &str, groups: &Value) -> Result<(), AwsError> {
    let bad = groups
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|g| g.is_empty() || g.starts_with("system:"));
    match bad {
        Some(g) => Err(invalid(
            cluster,
            format!("The kubernetes group name {g:?} is invalid; names can't be empty or start with system:"),
        )),
        None => Ok(()),
    }
}

pub fn create(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let principal = text(input, "principalArn");
    let kind = opt_text(input, "type").unwrap_or("STANDARD");
    let state = live_cluster(ctx.resources, cluster_name)?;
    require_api_mode(state, cluster_name)?;
    if !TYPES.contains(&kind) {
        return Err(invalid(
            cluster_name,
            format!(
                "The type {kind} is invalid; valid types are {}",
                TYPES.join(", ")
            ),
        ));
    }
    let Some((principal_account, principal_kind, name)) = parse_principal(principal) else {
        return Err(invalid(
            cluster_name,
            format!("The principalArn {principal} is not a valid IAM role or user ARN."),
        ));
    };
    if kind != "STANDARD" && principal_kind != "role" {
        return Err(invalid(
            cluster_name,
            format!("Access entries of type {kind} must use an IAM role ARN."),
        ));
    }
    let groups = present(input, "kubernetesGroups");
    if is_node_type(kind) && (groups.is_some() || present(input, "username").is_some()) {
        return Err(invalid(
            cluster_name,
            format!("kubernetesGroups and username can't be specified for access entries of type {kind}."),
        ));
    }
    if let Some(groups) = &groups {
        check_groups(cluster_name, groups)?;
    }
    check_username(cluster_name, input)?;
    super::rules::check_tags(input).map_err(|e| e.field("clusterName", cluster_name))?;
    if state.access_entries.contains_key(principal) {
        return Err(AwsError::in_use(format!(
            "The specified access entry resource is already in use on this cluster. principalArn: {principal}"
        ))
        .field("clusterName", cluster_name));
    }
    let arn = crate::util::arn(
        ctx.region,
        ctx.account,
        &format!(
            "access-entry/{cluster_name}/{principal_kind}/{principal_account}/{name}/{}",
            uuid()
        ),
    );
    let username = opt_text(input, "username").map_or_else(
        || default_username(kind, principal_account, principal_kind, name, principal),
        str::to_string,
    );
    let mut body = Map::new();
    body.insert("clusterName".into(), json!(cluster_name));
    body.insert("principalArn".into(), json!(principal));
    body.insert(
        "kubernetesGroups".into(),
        groups.unwrap_or_else(|| default_groups(kind)),
    );
    body.insert("accessEntryArn".into(), json!(arn));
    body.insert("createdAt".into(), json!(ctx.now));
    body.insert("modifiedAt".into(), json!(ctx.now));
    body.insert("tags".into(), initial_tags(input));
    body.insert("username".into(), json!(username));
    body.insert("type".into(), json!(kind));
    let view = Value::Object(body);
    state.access_entries.insert(
        principal.to_string(),
        AccessEntryState {
            entry: untracked(view.clone()),
            policies: Default::default(),
        },
    );
    Ok(json!({ "accessEntry": view }))
}

/// The access entry EKS makes for a cluster's creator: STANDARD, its ARN as username,
/// AmazonEKSClusterAdminPolicy at cluster scope. None for a principal that is not an IAM
/// user or role ARN.
pub(super) fn creator_entry(cluster_name: &str, ctx: &Ctx) -> Option<AccessEntryState> {
    let principal = ctx.principal;
    let (principal_account, principal_kind, name) = parse_principal(principal)?;
    let arn = crate::util::arn(
        ctx.region,
        ctx.account,
        &format!(
            "access-entry/{cluster_name}/{principal_kind}/{principal_account}/{name}/{}",
            uuid()
        ),
    );
    let username = default_username(
        "STANDARD",
        principal_account,
        principal_kind,
        name,
        principal,
    );
    let body = json!({
        "clusterName": cluster_name,
        "principalArn": principal,
        "kubernetesGroups": [],
        "accessEntryArn": arn,
        "createdAt": ctx.now,
        "modifiedAt": ctx.now,
        "tags": {},
        "username": username,
        "type": "STANDARD",
    });
    let policy = access_policy_arn("AmazonEKSClusterAdminPolicy");
    let mut policies = std::collections::BTreeMap::new();
    policies.insert(
        policy.clone(),
        json!({"policyArn": policy, "accessScope": {"type": "cluster", "namespaces": []}, "associatedAt": ctx.now, "modifiedAt": ctx.now}),
    );
    Some(AccessEntryState {
        entry: untracked(body),
        policies,
    })
}

pub fn describe(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, principal) = (text(input, "clusterName"), text(input, "principalArn"));
    let state = cluster(ctx.resources, cluster_name)?;
    Ok(json!({ "accessEntry": entry(state, cluster_name, principal)?.entry.body }))
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let policy = opt_text(input, "associatedPolicyArn");
    let state = cluster(ctx.resources, cluster_name)?;
    let names = state
        .access_entries
        .iter()
        .filter(|(_, e)| policy.is_none_or(|p| e.policies.contains_key(p)))
        .map(|(principal, _)| principal);
    name_page(names, input, "accessEntries")
}

pub fn update(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, principal) = (text(input, "clusterName"), text(input, "principalArn"));
    let now = ctx.now;
    let state = cluster(ctx.resources, cluster_name)?;
    let found = entry(state, cluster_name, principal)?;
    let kind = found.entry.get_str("type").to_string();
    let mut changes = Map::new();
    copy_members(&mut changes, input, &["kubernetesGroups", "username"]);
    if is_node_type(&kind) && !changes.is_empty() {
        return Err(invalid(
            cluster_name,
            format!(
                "kubernetesGroups and username can't be changed for access entries of type {kind}."
            ),
        ));
    }
    if let Some(groups) = changes.get("kubernetesGroups") {
        check_groups(cluster_name, groups)?;
    }
    check_username(cluster_name, input)?;
    for (member, value) in changes {
        set_member(&mut found.entry.body, &member, value);
    }
    set_member(&mut found.entry.body, "modifiedAt", json!(now));
    Ok(json!({ "accessEntry": found.entry.body }))
}

pub fn delete(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, principal) = (text(input, "clusterName"), text(input, "principalArn"));
    let state = cluster(ctx.resources, cluster_name)?;
    state
        .access_entries
        .remove(principal)
        .ok_or_else(|| not_found(cluster_name, principal))?;
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_parse() {
        assert_eq!(
            parse_principal("arn:aws:iam::123456789012:role/path/to/dev"),
            Some(("123456789012", "role", "dev"))
        );
        assert_eq!(
            parse_principal("arn:aws:iam::123456789012:user/alice"),
            Some(("123456789012", "user", "alice"))
        );
        assert!(parse_principal("arn:aws:sts::123456789012:assumed-role/r/s").is_none());
        assert!(parse_principal("arn:aws:iam::123:role/r").is_none());
        assert!(parse_principal("nope").is_none());
    }
}
