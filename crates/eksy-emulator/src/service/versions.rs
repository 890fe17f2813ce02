//! `DescribeClusterVersions`, answered from the region's version catalog (`catalogs::versions`).

use crate::catalogs::versions::Support;
use crate::error::AwsError;
use serde_json::Value;

/// `DescribeClusterVersions`.
pub fn describe_cluster_versions(
    ctx: &mut super::context::Ctx,
    input: &Value,
) -> Result<Value, AwsError> {
    let now = ctx.now;
    let catalog = &ctx.resources.versions;
    let wanted: Vec<&str> = input
        .get("clusterVersions")
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let flag = |member: &str| input.get(member).and_then(Value::as_bool) == Some(true);
    let (default_only, include_all) = (flag("defaultOnly"), flag("includeAll"));
    let cluster_type = super::input::opt_text(input, "clusterType").unwrap_or("eks");
    let status = super::input::opt_text(input, "status");
    let version_status = super::input::opt_text(input, "versionStatus");
    let default = catalog.default_version(now).map(|v| v.version.clone());
    let items: Vec<(String, Value)> = catalog
        .versions
        .iter()
        .rev()
        // A version appears from its release date on.
        .filter(|v| v.support(now) != Support::Unreleased)
        .map(|v| v.information(now, default.as_deref() == Some(v.version.as_str())))
        .filter(|v| v["clusterType"] == cluster_type)
        .filter(|v| !default_only || v["defaultVersion"] == true)
        .filter(|v| wanted.is_empty() || wanted.iter().any(|w| v["clusterVersion"] == *w))
        .filter(|v| status.is_none_or(|s| v["status"] == s))
        .filter(|v| version_status.is_none_or(|s| v["versionStatus"] == s))
        // Unsupported versions only when asked for (includeAll, a status filter or by name).
        .filter(|v| {
            include_all
                || status.is_some()
                || version_status.is_some()
                || !wanted.is_empty()
                || v["versionStatus"] != "UNSUPPORTED"
        })
        .enumerate()
        .map(|(i, v)| (format!("{i:04}"), v))
        .collect();
    super::paging::item_page(items, input, "clusterVersions")
}
