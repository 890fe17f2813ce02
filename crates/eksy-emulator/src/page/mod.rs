//! The emulator's page (`GET /`, `GET /_eksy/`): what it holds, for a person with a browser.
//!
//! [`render`] turns the `overview` control's JSON into one self-contained HTML page: inline
//! CSS, no script, no external asset (a Content-Security-Policy says so to the browser), and a
//! refresh every 2 seconds. Only the fields it knows are shown, each HTML-escaped, so neither
//! markup in a name nor a key added to the overview later can reach the page unnoticed.

use serde_json::Value;
use std::fmt::{self, Write};

use format::{
    badge, entries, escape, list, number, pending_note, percent, text, time_of_day, timestamp,
};

mod format;

/// The requests table shows at most this many (the overview sends the newest 50).
const MAX_REQUESTS: usize = 50;

const STYLE: &str = include_str!("style.css");

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
    write!(
        out,
        "Endpoint <code>{}</code>",
        text(overview.get("endpoint"))
    )?;
    write!(
        out,
        " · emulator time <span class=\"mono\">{}</span>",
        timestamp(now)
    )?;
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
    out.push_str("<section id=\"clusters\">\n");
    if regions
        .iter()
        .all(|region| list(region.get("clusters")).is_empty())
    {
        out.push_str("<h2>Clusters</h2>\n");
        writeln!(
            out,
            "<p class=\"empty\">No clusters yet. Create one with any AWS SDK or the AWS CLI pointed at <code>{}</code>.</p>",
            text(overview.get("endpoint"))
        )?;
    }
    for region in regions {
        let clusters = list(region.get("clusters"));
        let subscriptions = list(region.get("subscriptions"));
        if clusters.is_empty() && subscriptions.is_empty() {
            continue;
        }
        writeln!(
            out,
            "<h2>Account <span class=\"mono\">{}</span> · {}</h2>",
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
                writeln!(
                    out,
                    "<tr><td class=\"mono\">{}</td><td>{}</td></tr>",
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
    writeln!(
        out,
        "<h3>{} {} <span class=\"meta\">Kubernetes {}</span>{}</h3>",
        text(cluster.get("name")),
        badge(cluster.get("status")),
        text(cluster.get("version")),
        pending_note(cluster.get("pending"), now)
    )?;
    match cluster.get("endpoint").and_then(Value::as_str) {
        Some(endpoint) => writeln!(
            out,
            "<p class=\"meta\">Kubernetes endpoint <code>{}</code></p>",
            escape(endpoint)
        )?,
        None => out
            .push_str("<p class=\"meta\">No Kubernetes endpoint (the cluster is not ACTIVE)</p>\n"),
    }

    let nodegroups = list(cluster.get("nodegroups"));
    if !nodegroups.is_empty() {
        out.push_str("<h4>Node groups</h4>\n<table>\n<tr><th>Name</th><th>Status</th><th>Desired size</th><th>Next</th></tr>\n");
        for nodegroup in nodegroups {
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
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
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
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
            writeln!(
                out,
                "<tr><td>{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td></tr>",
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
            let policies: Vec<String> = list(entry.get("policies"))
                .iter()
                .map(|p| text(Some(p)))
                .collect();
            writeln!(
                out,
                "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td></tr>",
                text(entry.get("principal_arn")),
                text(entry.get("type")),
                if policies.is_empty() {
                    "none".to_owned()
                } else {
                    policies.join(", ")
                }
            )?;
        }
        out.push_str("</table>\n");
    }
    // The registry's other kinds, as counts (the tables above show these three in full).
    let others: Vec<String> = format::entries(cluster.get("resource_counts"))
        .filter(|(kind, count)| {
            !["nodegroup", "fargate_profile", "addon"].contains(&kind.as_str())
                && count.as_u64().is_some_and(|n| n > 0)
        })
        .map(|(kind, count)| {
            format!(
                "{} {}",
                escape(&kind.replace('_', " ")),
                number(count.as_f64())
            )
        })
        .collect();
    if !others.is_empty() {
        writeln!(out, "<p class=\"meta\">Also: {}.</p>", others.join(", "))?;
    }
    if nodegroups.is_empty() && profiles.is_empty() && addons.is_empty() && entries.is_empty() {
        out.push_str(
            "<p class=\"empty\">No node groups, Fargate profiles, add-ons or access entries.</p>\n",
        );
    }
    out.push_str("</div>\n");
    Ok(())
}

/// Every pending transition in one list, soonest first.
fn write_pending(out: &mut String, overview: &Value, now: Option<f64>) -> fmt::Result {
    let mut pending: Vec<(f64, String, String, &Value)> = Vec::new();
    for region in list(overview.get("regions")) {
        let place = format!(
            "{} · {}",
            text(region.get("account_id")),
            text(region.get("region"))
        );
        for cluster in list(region.get("clusters")) {
            let name = text(cluster.get("name"));
            push_pending(&mut pending, &place, format!("cluster {name}"), cluster);
            for (kind, key) in [
                ("node group", "nodegroups"),
                ("Fargate profile", "fargate_profiles"),
                ("add-on", "addons"),
            ] {
                for child in list(cluster.get(key)) {
                    push_pending(
                        &mut pending,
                        &place,
                        format!("{kind} {name}/{}", text(child.get("name"))),
                        child,
                    );
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
            writeln!(
                out,
                "<tr><td>{what}</td><td class=\"mono nowrap\">{place}</td><td>{}</td><td>{}</td></tr>",
                badge(resource.get("status")),
                pending_note(resource.get("pending"), now)
            )?;
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
    Ok(())
}

fn push_pending<'a>(
    pending: &mut Vec<(f64, String, String, &'a Value)>,
    place: &str,
    what: String,
    resource: &'a Value,
) {
    if let Some(at) = resource
        .get("pending")
        .and_then(|p| p.get("at"))
        .and_then(Value::as_f64)
    {
        pending.push((at, place.to_owned(), what, resource));
    }
}

fn write_faults(out: &mut String, faults: Option<&Value>) -> fmt::Result {
    let mut rows = Vec::new();
    if let Some(faults) = faults {
        for (operation, count) in entries(faults.get("queued")) {
            rows.push((
                "Queued answers",
                operation,
                format!("next {} call(s)", text(Some(count))),
            ));
        }
        for (operation, seconds) in entries(faults.get("latency")) {
            rows.push((
                "Latency",
                operation,
                format!("{} s per answer", number(seconds.as_f64())),
            ));
        }
        for (operation, rate) in entries(faults.get("error_rates")) {
            rows.push((
                "Error rate",
                operation,
                format!("{} of calls fail", percent(rate.as_f64())),
            ));
        }
        for (operation, rate) in entries(faults.get("drops")) {
            rows.push((
                "Dropped connections",
                operation,
                format!("{} of calls", percent(rate.as_f64())),
            ));
        }
    }
    out.push_str("<section id=\"faults\">\n<h2>Active faults</h2>\n");
    if rows.is_empty() {
        out.push_str(
            "<p class=\"empty\">None: every request gets the emulator's own answer.</p>\n",
        );
    } else {
        out.push_str(
            "<table class=\"faults\">\n<tr><th>Fault</th><th>Operation</th><th>Effect</th></tr>\n",
        );
        for (kind, operation, effect) in rows {
            let operation = if operation == "*" {
                "every operation".to_owned()
            } else {
                escape(operation)
            };
            writeln!(
                out,
                "<tr><td>{kind}</td><td>{operation}</td><td>{effect}</td></tr>"
            )?;
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
    Ok(())
}

fn write_requests(out: &mut String, requests: Option<&Value>) -> fmt::Result {
    let requests = list(requests);
    out.push_str("<section id=\"requests\">\n<h2>Recent requests</h2>\n");
    if requests.is_empty() {
        out.push_str("<p class=\"empty\">No requests yet.</p>\n</section>\n");
        return Ok(());
    }
    writeln!(
        out,
        "<p class=\"meta\">The newest {} first; failed ones in red.</p>",
        requests.len().min(MAX_REQUESTS)
    )?;
    out.push_str(concat!(
        "<table>\n<tr><th>Time (UTC)</th><th>Operation</th><th>Request</th><th>Status</th>",
        "<th>Error</th><th>Account · region</th></tr>\n"
    ));
    for request in requests.iter().take(MAX_REQUESTS) {
        let status = request.get("status").and_then(Value::as_u64);
        // No status: the connection was dropped without an answer.
        let failed = status.is_none_or(|s| s >= 400);
        let operation = match request.get("operation").and_then(Value::as_str) {
            Some(operation) => escape(operation),
            None => "<span class=\"meta\">not an operation</span>".to_owned(),
        };
        writeln!(
            out,
            "<tr{}><td class=\"mono nowrap\">{}</td><td>{}</td><td class=\"mono\">{} {}</td><td>{}</td><td class=\"code\">{}</td><td class=\"mono nowrap\">{} · {}</td></tr>",
            if failed { " class=\"error\"" } else { "" },
            time_of_day(request.get("time").and_then(Value::as_f64)),
            operation,
            text(request.get("method")),
            text(request.get("path")),
            status.map_or_else(|| "no answer".to_owned(), |s| s.to_string()),
            request.get("error_code").and_then(Value::as_str).map(escape).unwrap_or_default(),
            text(request.get("account_id")),
            text(request.get("region"))
        )?;
    }
    out.push_str("</table>\n</section>\n");
    Ok(())
}

#[cfg(test)]
mod tests;
