//! The emulator's page (`GET /`, `GET /_eksy/`): what it holds, for a person with a browser.
//!
//! [`render`] turns the `overview` control's JSON into one self-contained HTML page: inline
//! CSS, no script, no external asset (a Content-Security-Policy says so to the browser), and a
//! refresh every 2 seconds. Only the fields it knows are shown, each HTML-escaped, so neither
//! markup in a name nor a key added to the overview later can reach the page unnoticed.

use serde_json::Value;
use std::fmt::{self, Write};

/// The requests table shows at most this many (the overview sends the newest 50).
const MAX_REQUESTS: usize = 50;

const STYLE: &str = "
:root { color-scheme: light; --line: #d8dde3; --muted: #5b6470; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  color: #1d232b; background: var(--bg); }
header { padding: 14px 24px; background: #232f3e; color: #fff; }
header h1 { margin: 0; font-size: 18px; font-weight: 600; }
header p { margin: 4px 0 0; color: #c9d1db; }
header code { color: #fff; }
main { padding: 8px 24px 32px; max-width: 1280px; }
h2 { font-size: 16px; margin: 22px 0 8px; }
h3 { font-size: 15px; margin: 0 0 6px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
h4 { font-size: 12px; margin: 12px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 0 0 12px; }
.meta { color: var(--muted); font-weight: 400; font-size: 13px; }
.empty { color: var(--muted); font-style: italic; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
code, .mono { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600;
  border: 1px solid transparent; white-space: nowrap; }
.badge.ok { background: #e3f4e6; color: #17692a; border-color: #a9dcb3; }
.badge.busy { background: #e2eefb; color: #1559a8; border-color: #a9c9ef; }
.badge.failed { background: #fde7e7; color: #a61b1b; border-color: #f1aaaa; }
.badge.warn { background: #fff2d9; color: #8a5300; border-color: #f0cf8e; }
.badge.other { background: #eceff2; color: #4a535e; border-color: #d3d8de; }
.pending { color: #1559a8; font-size: 13px; }
tr.error td { background: #fdecec; }
tr.error .code { color: #a61b1b; font-weight: 600; }
.faults td:first-child { white-space: nowrap; }
";

/// The whole page for an `overview` value (see the module documentation).
pub fn render(overview: &Value) -> String {
    let mut page = String::with_capacity(16 * 1024);
    // Writing into a String cannot fail; the Result only carries fmt's signature.
    let _ = write_page(&mut page, overview);
    page
}

fn write_page(out: &mut String, overview: &Value) -> fmt::Result {
    let now = overview.get("now").and_then(Value::as_f64);
    out.push_str(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta http-equiv=\"refresh\" content=\"2\">\n",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<title>eksy · local EKS emulator</title>\n<style>",
    ));
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<header>\n<h1>eksy · local EKS emulator</h1>\n<p>");
    write!(out, "Endpoint <code>{}</code>", text(overview.get("endpoint")))?;
    write!(out, " · emulator time <span class=\"mono\">{}</span>", timestamp(now))?;
    out.push_str(" · refreshes every 2 s</p>\n</header>\n<main>\n");
    write_regions(out, overview, now)?;
    write_pending(out, overview, now)?;
    write_faults(out, overview.get("faults"))?;
    write_requests(out, overview.get("requests"))?;
    out.push_str("</main>\n</body>\n</html>\n");
    Ok(())
}

fn write_regions(out: &mut String, overview: &Value, now: Option<f64>) -> fmt::Result {
    let regions = list(overview.get("regions"));
    out.push_str("<section id=\"clusters\">\n<h2>Clusters</h2>\n");
    if regions.iter().all(|region| list(region.get("clusters")).is_empty()) {
        write!(
            out,
            "<p class=\"empty\">No clusters yet. Create one with any AWS SDK or the AWS CLI pointed at <code>{}</code>.</p>\n",
            text(overview.get("endpoint"))
        )?;
    }
    for region in regions {
        let clusters = list(region.get("clusters"));
        let subscriptions = list(region.get("subscriptions"));
        if clusters.is_empty() && subscriptions.is_empty() {
            continue;
        }
        write!(
            out,
            "<h2>Account <span class=\"mono\">{}</span> · {}</h2>\n",
            text(region.get("account_id")),
            text(region.get("region"))
        )?;
        for cluster in clusters {
            write_cluster(out, cluster, now)?;
        }
        if !subscriptions.is_empty() {
            out.push_str("<div class=\"card\">\n<h4>EKS Anywhere subscriptions</h4>\n");
            out.push_str("<table>\n<tr><th>Id</th><th>Status</th></tr>\n");
            for subscription in subscriptions {
                write!(
                    out,
                    "<tr><td class=\"mono\">{}</td><td>{}</td></tr>\n",
                    text(subscription.get("id")),
                    badge(subscription.get("status"))
                )?;
            }
            out.push_str("</table>\n</div>\n");
        }
    }
    out.push_str("</section>\n");
    Ok(())
}

fn write_cluster(out: &mut String, cluster: &Value, now: Option<f64>) -> fmt::Result {
    out.push_str("<div class=\"card cluster\">\n");
    write!(
        out,
        "<h3>{} {} <span class=\"meta\">Kubernetes {}</span>{}</h3>\n",
        text(cluster.get("name")),
        badge(cluster.get("status")),
        text(cluster.get("version")),
        pending_note(cluster.get("pending"), now)
    )?;
    match cluster.get("endpoint").and_then(Value::as_str) {
        Some(endpoint) => write!(out, "<p class=\"meta\">Kubernetes endpoint <code>{}</code></p>\n", escape(endpoint))?,
        None => out.push_str("<p class=\"meta\">No Kubernetes endpoint (the cluster is not ACTIVE)</p>\n"),
    }

    let nodegroups = list(cluster.get("nodegroups"));
    if !nodegroups.is_empty() {
        out.push_str("<h4>Node groups</h4>\n<table>\n<tr><th>Name</th><th>Status</th><th>Desired size</th><th>Next</th></tr>\n");
        for nodegroup in nodegroups {
            write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                text(nodegroup.get("name")),
                badge(nodegroup.get("status")),
                text(nodegroup.get("desired_size")),
                pending_note(nodegroup.get("pending"), now)
            )?;
        }
        out.push_str("</table>\n");
    }
    let profiles = list(cluster.get("fargate_profiles"));
    if !profiles.is_empty() {
        out.push_str("<h4>Fargate profiles</h4>\n<table>\n<tr><th>Name</th><th>Status</th><th>Next</th></tr>\n");
        for profile in profiles {
            write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                text(profile.get("name")),
                badge(profile.get("status")),
                pending_note(profile.get("pending"), now)
            )?;
        }
        out.push_str("</table>\n");
    }
    let addons = list(cluster.get("addons"));
    if !addons.is_empty() {
        out.push_str("<h4>Add-ons</h4>\n<table>\n<tr><th>Name</th><th>Version</th><th>Status</th><th>Next</th></tr>\n");
        for addon in addons {
            write!(
                out,
                "<tr><td>{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td></tr>\n",
                text(addon.get("name")),
                text(addon.get("version")),
                badge(addon.get("status")),
                pending_note(addon.get("pending"), now)
            )?;
        }
        out.push_str("</table>\n");
    }
    let entries = list(cluster.get("access_entries"));
    if !entries.is_empty() {
        out.push_str("<h4>Access entries</h4>\n<table>\n<tr><th>Principal</th><th>Type</th><th>Access policies</th></tr>\n");
        for entry in entries {
            let policies: Vec<String> = list(entry.get("policies")).iter().map(|p| text(Some(p))).collect();
            write!(
                out,
                "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td></tr>\n",
                text(entry.get("principal_arn")),
                text(entry.get("type")),
                if policies.is_empty() { "none".to_owned() } else { policies.join(", ") }
            )?;
        }
        out.push_str("</table>\n");
    }
    if nodegroups.is_empty() && profiles.is_empty() && addons.is_empty() && entries.is_empty() {
        out.push_str("<p class=\"empty\">No node groups, Fargate profiles, add-ons or access entries.</p>\n");
    }
    out.push_str("</div>\n");
    Ok(())
}

/// Every pending transition in one list, soonest first.
fn write_pending(out: &mut String, overview: &Value, now: Option<f64>) -> fmt::Result {
    let mut pending: Vec<(f64, String, String, &Value)> = Vec::new();
    for region in list(overview.get("regions")) {
        let place = format!("{} · {}", text(region.get("account_id")), text(region.get("region")));
        for cluster in list(region.get("clusters")) {
            let name = text(cluster.get("name"));
            let mut add = |what: String, resource: &'a_value_placeholder!()| {};
            let _ = &mut add;
            push_pending(&mut pending, &place, format!("cluster {name}"), cluster);
            for (kind, key) in [("node group", "nodegroups"), ("Fargate profile", "fargate_profiles"), ("add-on", "addons")] {
                for child in list(cluster.get(key)) {
                    push_pending(&mut pending, &place, format!("{kind} {name}/{}", text(child.get("name"))), child);
                }
            }
        }
    }
    out.push_str("<section id=\"pending\">\n<h2>Pending transitions</h2>\n");
    if pending.is_empty() {
        out.push_str("<p class=\"empty\">None: every resource is in a settled state.</p>\n");
    } else {
        pending.sort_by(|a, b| a.0.total_cmp(&b.0));
        out.push_str("<table>\n<tr><th>Resource</th><th>Account · region</th><th>Now</th><th>Next</th></tr>\n");
        for (_, place, what, resource) in pending {
            write!(
                out,
                "<tr><td>{what}</td><td class=\"mono\">{place}</td><td>{}</td><td>{}</td></tr>\n",
                badge(resource.get("status")),
                pending_note(resource.get("pending"), now)
            )?;
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
    Ok(())
}
