//! Add-ons: create, describe, list, update, delete, and the catalog queries
//! (DescribeAddonVersions, DescribeAddonConfiguration).

use super::context::{
    active_cluster, cluster, initial_tags, require_updatable, start_delete, start_update, Ctx,
};
use super::input::{opt_text, param, present, single, text};
use super::paging::{name_page, page_args};
use super::rules::{check_role_arn, check_tags, is_dns_label};
use crate::catalogs::addons::{self, AddonSpec};
use crate::catalogs::versions::Catalog;
use crate::error::AwsError;
use crate::lifecycle::Tracked;
use crate::state::{ClusterState, Scope};
use crate::util::uuid;
use serde_json::{json, Map, Value};

fn not_found(cluster: &str, name: &str) -> AwsError {
    AwsError::not_found(format!("No addon: {name} found in cluster: {cluster}"))
        .field("clusterName", cluster)
        .field("addonName", name)
}

fn invalid(cluster: &str, name: &str, message: String) -> AwsError {
    AwsError::invalid_parameter(message)
        .field("clusterName", cluster)
        .field("addonName", name)
}

fn addon<'a>(
    state: &'a mut ClusterState,
    cluster: &str,
    name: &str,
) -> Result<&'a mut Tracked, AwsError> {
    state
        .children
        .addons
        .get_mut(name)
        .ok_or_else(|| not_found(cluster, name))
}

/// The catalog entry and the version to install: the requested one if it is compatible
/// with the cluster's Kubernetes version, else the default.
fn resolve_version(
    cluster_name: &str,
    name: &str,
    requested: Option<&str>,
    kubernetes: &str,
    catalog: &Catalog,
) -> Result<(&'static AddonSpec, String), AwsError> {
    let spec = addons::addon(name).ok_or_else(|| {
        invalid(
            cluster_name,
            name,
            format!("Addon {name} specified is not supported in {kubernetes} kubernetes version"),
        )
    })?;
    let version = match requested {
        None => spec.default_version(kubernetes, catalog),
        Some(v) => spec
            .compatible(kubernetes, catalog)
            .into_iter()
            .find(|c| c.version == v)
            .map(|c| c.version),
    };
    let version = version.ok_or_else(|| {
        invalid(
            cluster_name,
            name,
            format!(
                "Addon version specified {} is not supported for the kubernetes version {kubernetes}",
                requested.unwrap_or("")
            ),
        )
    })?;
    Ok((spec, version))
}

/// The top-level keys of `configurationValues` (JSON or YAML), if it is an object.
fn configuration_keys(text: &str) -> Option<Vec<String>> {
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return value.as_object().map(|o| o.keys().cloned().collect());
    }
    let docs = yaml_rust2::YamlLoader::load_from_str(text).ok()?;
    match docs.as_slice() {
        [yaml_rust2::Yaml::Hash(map)] => {
            map.keys().map(|k| k.as_str().map(str::to_string)).collect()
        }
        _ => None,
    }
}

/// Rules on the members of CreateAddon and UpdateAddon (RULES.md, "CreateAddon").
fn check_request(spec: &AddonSpec, cluster_name: &str, input: &Value) -> Result<(), AwsError> {
    let name = spec.name;
    let fail = |e: AwsError| {
        e.field("clusterName", cluster_name)
            .field("addonName", name)
    };
    check_tags(input).map_err(fail)?;
    if let Some(values) = opt_text(input, "configurationValues") {
        let keys = configuration_keys(values).ok_or_else(|| {
            invalid(cluster_name, name, "configurationValues must be a JSON or YAML object that matches the schema of DescribeAddonConfiguration.".into())
        })?;
        if let Some(unknown) = keys
            .iter()
            .find(|k| !spec.configuration_keys().any(|known| known == k.as_str()))
        {
            return Err(invalid(
                cluster_name,
                name,
                format!("ConfigurationValue schema validation failed: additional property {unknown} is not allowed"),
            ));
        }
    }
    if let Some(role) = opt_text(input, "serviceAccountRoleArn") {
        check_role_arn("serviceAccountRoleArn", role).map_err(fail)?;
    }
    for association in input
        .get("podIdentityAssociations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some((service_account, _)) = spec.pod_identity else {
            return Err(invalid(
                cluster_name,
                name,
                format!("Addon {name} does not support EKS Pod Identity associations."),
            ));
        };
        check_role_arn(
            "podIdentityAssociations.roleArn",
            text(association, "roleArn"),
        )
        .map_err(fail)?;
        let wanted = text(association, "serviceAccount");
        if wanted != service_account {
            return Err(invalid(
                cluster_name,
                name,
                format!("The service account {wanted} is not used by addon {name}; its service account is {service_account}."),
            ));
        }
    }
    if let Some(namespace) = input
        .pointer("/namespaceConfig/namespace")
        .and_then(Value::as_str)
    {
        if !is_dns_label(namespace) {
            return Err(invalid(
                cluster_name,
                name,
                format!(
                    "The namespace {namespace} is invalid: it must be a valid RFC 1123 DNS label."
                ),
            ));
        }
    }
    Ok(())
}

pub fn create(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let cluster_name = text(input, "clusterName");
    let name = text(input, "addonName");
    let arn = ctx.arn(&format!("addon/{cluster_name}/{name}/{}", uuid()));
    let catalog = ctx.resources.versions.clone();
    let state = active_cluster(ctx.resources, cluster_name)?;
    if state.children.addons.contains_key(name) {
        return Err(AwsError::in_use("Addon already exists.")
            .field("clusterName", cluster_name)
            .field("addonName", name));
    }
    let kubernetes = state.cluster.get_str("version").to_string();
    let (spec, version) = resolve_version(
        cluster_name,
        name,
        opt_text(input, "addonVersion"),
        &kubernetes,
        &catalog,
    )?;
    check_request(spec, cluster_name, input)?;
    let mut body = Map::new();
    body.insert("addonName".into(), json!(name));
    body.insert("clusterName".into(), json!(cluster_name));
    body.insert("addonVersion".into(), json!(version));
    body.insert("addonArn".into(), json!(arn));
    body.insert("createdAt".into(), json!(ctx.now));
    body.insert("modifiedAt".into(), json!(ctx.now));
    body.insert("health".into(), json!({"issues": []}));
    body.insert("tags".into(), initial_tags(input));
    body.insert("podIdentityAssociations".into(), json!([]));
    body.insert(
        "namespaceConfig".into(),
        present(input, "namespaceConfig").unwrap_or_else(|| json!({"namespace": spec.namespace})),
    );
    for member in ["serviceAccountRoleArn", "configurationValues"] {
        if let Some(v) = present(input, member) {
            body.insert(member.into(), v);
        }
    }
    if spec.owner != "aws" {
        body.insert("owner".into(), json!(spec.owner));
        body.insert("publisher".into(), json!(spec.publisher));
    }
    let tracked = Tracked::born(
        Value::Object(body),
        "CREATING",
        "ACTIVE",
        ctx.now,
        ctx.timings.addon_create,
    );
    let view = tracked.body.clone();
    state.children.addons.insert(name.to_string(), tracked);
    Ok(json!({ "addon": view }))
}

pub fn describe(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (text(input, "clusterName"), text(input, "addonName"));
    let state = cluster(ctx.resources, cluster_name)?;
    Ok(single(
        "addon",
        addon(state, cluster_name, name)?.body.clone(),
    ))
}

pub fn list(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let state = cluster(ctx.resources, text(input, "clusterName"))?;
    name_page(state.children.addons.keys(), input, "addons")
}

pub fn delete(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (text(input, "clusterName"), text(input, "addonName"));
    let state = cluster(ctx.resources, cluster_name)?;
    let tracked = addon(state, cluster_name, name)?;
    Ok(json!({ "addon": start_delete(tracked, ctx.now, ctx.timings.addon_delete) }))
}

/// Update params for each changed member: `(member, param type)`.
const UPDATE_PARAMS: &[(&str, &str)] = &[
    ("addonVersion", "AddonVersion"),
    ("serviceAccountRoleArn", "ServiceAccountRoleArn"),
    ("resolveConflicts", "ResolveConflicts"),
    ("configurationValues", "ConfigurationValues"),
    ("podIdentityAssociations", "PodIdentityAssociations"),
];

pub fn update(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (cluster_name, name) = (text(input, "clusterName"), text(input, "addonName"));
    let catalog = ctx.resources.versions.clone();
    let state = cluster(ctx.resources, cluster_name)?;
    let kubernetes = state.cluster.get_str("version").to_string();
    let tracked = addon(state, cluster_name, name)?;
    require_updatable(tracked, "Addon", "addonName", name, cluster_name)?;
    if let Some(spec) = addons::addon(name) {
        check_request(spec, cluster_name, input)?;
    }
    let mut patch = Map::new();
    if let Some(requested) = opt_text(input, "addonVersion") {
        let (_, version) =
            resolve_version(cluster_name, name, Some(requested), &kubernetes, &catalog)?;
        patch.insert("addonVersion".into(), json!(version));
    }
    for member in ["serviceAccountRoleArn", "configurationValues"] {
        if let Some(v) = present(input, member) {
            patch.insert(member.into(), v);
        }
    }
    let params: Vec<Value> = UPDATE_PARAMS
        .iter()
        .filter_map(|(member, kind)| present(input, member).map(|v| param(kind, &v)))
        .collect();
    let update = start_update(
        state,
        Scope::Addon(name.into()),
        "AddonUpdate",
        params,
        patch,
        ctx.now,
        ctx.timings.addon_update,
    );
    Ok(json!({ "update": update }))
}

fn matches_filter(input: &Value, member: &str, value: &str) -> bool {
    match input.get(member).and_then(Value::as_array) {
        Some(wanted) if !wanted.is_empty() => wanted.iter().any(|w| w.as_str() == Some(value)),
        _ => true,
    }
}

pub fn describe_versions(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (catalog, now) = (&ctx.resources.versions, ctx.now);
    let kubernetes = opt_text(input, "kubernetesVersion");
    let name = opt_text(input, "addonName");
    let mut items: Vec<(String, Value)> = addons::ADDONS
        .iter()
        .filter(|a| name.is_none_or(|n| n == a.name))
        .filter(|a| matches_filter(input, "types", a.kind))
        .filter(|a| matches_filter(input, "publishers", a.publisher))
        .filter(|a| matches_filter(input, "owners", a.owner))
        .map(|a| (a.name.to_string(), a.info(kubernetes, catalog, now)))
        .filter(|(_, info)| {
            info["addonVersions"]
                .as_array()
                .is_some_and(|v| !v.is_empty())
        })
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (max, token) = page_args(input);
    let (addons, next) = super::paging::paginate("addons", items, max, token)?;
    let mut out = json!({ "addons": addons });
    if let Some(next) = next {
        out["nextToken"] = json!(next);
    }
    Ok(out)
}

pub fn describe_configuration(ctx: &mut Ctx, input: &Value) -> Result<Value, AwsError> {
    let (name, version) = (text(input, "addonName"), text(input, "addonVersion"));
    let catalog = &ctx.resources.versions;
    let spec = addons::addon(name)
        .filter(|spec| spec.version(version, catalog).is_some())
        .ok_or_else(|| {
            AwsError::not_found(format!("Addon {name} with version {version} not found"))
                .field("addonName", name)
        })?;
    Ok(json!({
        "addonName": name,
        "addonVersion": version,
        "configurationSchema": spec.configuration_schema(),
        "podIdentityConfiguration": spec.pod_identity_configuration(),
    }))
}
