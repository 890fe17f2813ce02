//! OIDC identity provider configurations: associate and disassociate (each a cluster update,
//! the config `CREATING → ACTIVE` / `DELETING → gone` with it), describe, list.

use super::context::{cluster, initial_tags, require_updatable, start_update, Ctx};
use super::input::{copy_members, param, text, without};
use super::paging::item_page;
use crate::error::AwsError;
use crate::lifecycle::{Outcome, Tracked};
use crate::state::{ClusterState, Scope};
use crate::util::uuid;
use serde_json::{json, Map, Value};

fn not_found(cluster: &str, name: &str) -> AwsError {
    AwsError::not_found(format!(
        "No identity provider config found with name: {name}."
    ))
    .field("clusterName", cluster)
}

fn invalid(cluster: &str, message: impl Into<String>) -> AwsError {
    AwsError::invalid_parameter(message).field("clusterName", cluster)
}

/// The config named by an `IdentityProviderConfig` `{type, name}` member.
fn config<'a>(
    state: &'a mut ClusterState,
    cluster: &str,
    input: &Value,
) -> Result<&'a mut Tracked, AwsError> {
    let reference = input.get("identityProviderConfig").unwrap_or(&Value::Null);
    let kind = text(reference, "type");
    let name = text(reference, "name");
    if kind != "oidc" {
        return Err(invalid(
            cluster,
            format!(
                "The identity provider config type {kind} is not supported; the only type is oidc."
            ),
        ));
    }
    state
        .children
        .identity_provider_configs
        .get_mut(name)
        .ok_or_else(|| not_found(cluster, name))
}

/// `OidcIdentityProviderConfig` as sent: the settled transition's `modifiedAt` is not modeled.
fn view(config: &Tracked) -> Value {
    without(&config.body, &["modifiedAt"])
}

pub fn associate(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let oidc = input.get("oidc").cloned().unwrap_or_else(|| json!({}));
    let name = text(&oidc, "identityProviderConfigName").to_string();
    let arn = ctx.arn(&format!(
        "identityproviderconfig/{cluster_name}/oidc/{name}/{}",
        uuid()
    ));
    let state = cluster(ctx.resources, cluster_name)?;
    require_updatable(
        &state.cluster,
        "Cluster",
        "clusterName",
        cluster_name,
        cluster_name,
    )?;
    if state.children.identity_provider_configs.contains_key(&name) {
        return Err(AwsError::in_use(format!(
            "An identity provider config with name {name} is already associated with the cluster."
        ))
        .field("clusterName", cluster_name));
    }
    let issuer = text(&oidc, "issuerUrl");
    if !issuer.starts_with("https://") {
        return Err(invalid(
            cluster_name,
            "The issuerUrl must begin with https://",
        ));
    }
    if issuer.contains('?') || issuer.contains('#') {
        return Err(invalid(
            cluster_name,
            "The issuerUrl can have path components but no query parameters.",
        ));
    }
    super::rules::check_tags(input).map_err(|e| e.field("clusterName", cluster_name))?;
    for prefix in ["usernamePrefix", "groupsPrefix"] {
        if text(&oidc, prefix).contains("system:") {
            return Err(invalid(
                cluster_name,
                format!("The {prefix} can't contain system:"),
            ));
        }
    }
    let tags = initial_tags(input);
    let mut body = Map::new();
    body.insert("identityProviderConfigName".into(), json!(name));
    body.insert("identityProviderConfigArn".into(), json!(arn));
    body.insert("clusterName".into(), json!(cluster_name));
    copy_members(
        &mut body,
        &oidc,
        &[
            "issuerUrl",
            "clientId",
            "usernameClaim",
            "usernamePrefix",
            "groupsClaim",
            "groupsPrefix",
            "requiredClaims",
        ],
    );
    body.insert("tags".into(), tags.clone());
    let config = Tracked::born(
        Value::Object(body),
        "CREATING",
        "ACTIVE",
        ctx.now,
        ctx.timings.cluster_update,
    );
    state
        .children
        .identity_provider_configs
        .insert(name.clone(), config);
    let params = vec![param(
        "IdentityProviderConfig",
        &json!([{"type": "oidc", "name": name}]),
    )];
    let update = start_update(
        state,
        Scope::Cluster,
        "AssociateIdentityProviderConfig",
        params,
        Map::new(),
        ctx.now,
        ctx.timings.cluster_update,
    );
    Ok(json!({ "update": update, "tags": tags }))
}

pub fn describe(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let state = cluster(ctx.resources, cluster_name)?;
    let config = config(state, cluster_name, input)?;
    Ok(json!({ "identityProviderConfig": { "oidc": view(config) } }))
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let state = cluster(ctx.resources, text(input, "clusterName"))?;
    let items = state
        .children
        .identity_provider_configs
        .keys()
        .map(|name| (name.clone(), json!({"type": "oidc", "name": name})))
        .collect();
    item_page(items, input, "identityProviderConfigs")
}

pub fn disassociate(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let state = cluster(ctx.resources, cluster_name)?;
    require_updatable(
        &state.cluster,
        "Cluster",
        "clusterName",
        cluster_name,
        cluster_name,
    )?;
    let found = config(state, cluster_name, input)?;
    let name = found.get_str("identityProviderConfigName").to_string();
    if found.status() != "ACTIVE" {
        return Err(AwsError::invalid_request(format!(
            "Identity provider config {name} is in {} status and can't be disassociated.",
            found.status()
        ))
        .field("clusterName", cluster_name));
    }
    found.begin(
        "DELETING",
        Outcome::Remove,
        Map::new(),
        None,
        ctx.now,
        ctx.timings.cluster_update,
    );
    let params = vec![param(
        "IdentityProviderConfig",
        &json!([{"type": "oidc", "name": name}]),
    )];
    let update = start_update(
        state,
        Scope::Cluster,
        "DisassociateIdentityProviderConfig",
        params,
        Map::new(),
        ctx.now,
        ctx.timings.cluster_update,
    );
    Ok(json!({ "update": update }))
}
