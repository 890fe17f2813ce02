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
.card th:first-child, .card td:first-child { width: 30%; }
code, .mono { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600;
  border: 1px solid transparent; white-space: nowrap; }
.badge.ok { background: #e3f4e6; color: #17692a; border-color: #a9dcb3; }
.badge.busy { background: #e2eefb; color: #1559a8; border-color: #a9c9ef; }
.badge.failed { background: #fde7e7; color: #a61b1b; border-color: #f1aaaa; }
.badge.warn { background: #fff2d9; color: #8a5300; border-color: #f0cf8e; }
.badge.other { background: #eceff2; color: #4a535e; border-color: #d3d8de; }
.pending { color: #1559a8; font-size: 13px; }
th, .nowrap { white-space: nowrap; overflow-wrap: normal; }
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

/// A status as a coloured badge; the colour comes from a fixed set of classes.
fn badge(status: Option<&Value>) -> String {
    let Some(status) = status.and_then(Value::as_str) else {
        return "<span class=\"badge other\">unknown</span>".to_owned();
    };
    let upper = status.to_ascii_uppercase();
    let class = if upper.contains("FAIL") {
        "failed"
    } else if upper == "ACTIVE" || upper == "SUCCESSFUL" {
        "ok"
    } else if upper == "DEGRADED" {
        "warn"
    } else if upper.ends_with("ING") || upper == "PENDING" || upper == "INPROGRESS" {
        "busy"
    } else {
        "other"
    };
    format!("<span class=\"badge {class}\">{}</span>", escape(status))
}

/// "→ ACTIVE in 9.5 s" for a `{"status", "at"}` transition; empty when there is none.
fn pending_note(pending: Option<&Value>, now: Option<f64>) -> String {
    let Some(pending) = pending.filter(|p| p.is_object()) else {
        return String::new();
    };
    let to = text(pending.get("status"));
    let when = match (pending.get("at").and_then(Value::as_f64), now) {
        (Some(at), Some(now)) if at > now => format!("in {} s", number(Some(at - now))),
        (Some(_), Some(_)) => "due now".to_owned(),
        _ => "soon".to_owned(),
    };
    format!(" <span class=\"pending\">→ {to} {when}</span>")
}

/// A scalar as escaped text; anything else (null, missing, arrays, objects) as a dash.
fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => escape(s),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => "—".to_owned(),
    }
}

fn list(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn entries(value: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|map| map.iter())
}

/// A short decimal: one place from 1 up ("12", "3.2"), three below ("0.5", "0.05").
fn number(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let places = if v.abs() >= 1.0 { 1 } else { 3 };
            let fixed = format!("{v:.places$}");
            let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
            if trimmed == "-0" {
                "0".to_owned()
            } else {
                trimmed.to_owned()
            }
        }
        _ => "—".to_owned(),
    }
}

fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r.is_finite() => format!("{}%", number(Some(r * 100.0))),
        _ => "—".to_owned(),
    }
}

/// Epoch seconds as "2025-12-02 07:20:00 UTC".
fn timestamp(seconds: Option<f64>) -> String {
    match civil(seconds) {
        Some((y, mo, d, h, mi, s, _)) => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC"),
        None => "—".to_owned(),
    }
}

/// Epoch seconds as "07:20:00.500".
fn time_of_day(seconds: Option<f64>) -> String {
    match civil(seconds) {
        Some((_, _, _, h, mi, s, ms)) => format!("{h:02}:{mi:02}:{s:02}.{ms:03}"),
        None => "—".to_owned(),
    }
}

/// UTC calendar fields of epoch seconds (days to civil date: Howard Hinnant's algorithm).
fn civil(seconds: Option<f64>) -> Option<(i64, i64, i64, i64, i64, i64, i64)> {
    let seconds = seconds.filter(|s| s.is_finite() && s.abs() < 1e14)?;
    let millis = (seconds * 1000.0).floor() as i64;
    let (days, ms_of_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let secs = ms_of_day / 1000;
    Some((
        year,
        month,
        day,
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        ms_of_day % 1000,
    ))
}

/// Text for HTML element content and quoted attribute values.
fn escape(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::render;
    use serde_json::{json, Value};

    const NOW: f64 = 1_764_660_000.5;

    fn full() -> Value {
        json!({
            "now": NOW,
            "endpoint": "http://127.0.0.1:9566",
            "regions": [{
                "account_id": "123456789012",
                "region": "us-east-1",
                "clusters": [{
                    "name": "demo", "status": "CREATING", "version": "1.33", "endpoint": null,
                    "pending": {"status": "ACTIVE", "at": NOW + 9.5},
                    "nodegroups": [{"name": "ng", "status": "CREATE_FAILED", "desired_size": 3, "pending": null}],
                    "fargate_profiles": [{"name": "fp", "status": "DELETING", "pending": {"status": "DELETED", "at": NOW - 1.0}}],
                    "addons": [{"name": "vpc-cni", "status": "DEGRADED", "version": "v1.19.0-eksbuild.1", "pending": null}],
                    "access_entries": [{"principal_arn": "arn:aws:iam::123456789012:user/testing", "type": "STANDARD",
                                        "policies": ["AmazonEKSClusterAdminPolicy"]}]
                }, {
                    "name": "prod", "status": "ACTIVE", "version": "1.32", "endpoint": "https://127.0.0.1:40001",
                    "pending": null, "nodegroups": [], "fargate_profiles": [], "addons": [], "access_entries": []
                }],
                "subscriptions": [{"id": "sub-0123", "status": "ACTIVE"}]
            }],
            "faults": {"queued": {"DescribeCluster": 2}, "latency": {"*": 0.5},
                       "error_rates": {"CreateCluster": 0.1}, "drops": {"*": 1.0}},
            "requests": [
                {"time": NOW - 0.4, "operation": "DescribeCluster", "method": "GET", "path": "/clusters/missing",
                 "status": 404, "error_code": "ResourceNotFoundException", "account_id": "123456789012", "region": "us-east-1"},
                {"time": NOW - 0.9, "operation": "CreateCluster", "method": "POST", "path": "/clusters",
                 "status": 200, "error_code": null, "account_id": "123456789012", "region": "us-east-1"}
            ]
        })
    }

    /// Every opened element of these kinds is closed, in order.
    fn assert_balanced(page: &str) {
        let mut open: Vec<&str> = Vec::new();
        let names = [
            "html", "head", "body", "header", "main", "section", "div", "table", "tr", "td", "th",
            "h1", "h2", "h3", "h4", "p", "span", "code", "style", "title",
        ];
        let mut rest = page;
        while let Some(start) = rest.find('<') {
            rest = &rest[start + 1..];
            let end = rest.find('>').unwrap_or(rest.len());
            let tag = &rest[..end];
            let closing = tag.starts_with('/');
            let name = tag
                .trim_start_matches('/')
                .split([' ', '>'])
                .next()
                .unwrap_or("");
            if !names.contains(&name) {
                continue;
            }
            if closing {
                assert_eq!(open.pop(), Some(name), "unbalanced </{name}>");
            } else {
                open.push(name);
            }
        }
        assert!(open.is_empty(), "left open: {open:?}");
    }

    #[test]
    fn shows_every_part_of_the_overview() {
        let page = render(&full());
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<meta http-equiv=\"refresh\" content=\"2\">"));
        assert!(page.contains("http://127.0.0.1:9566"));
        assert!(page.contains("2025-12-02 07:20:00 UTC"));
        assert!(page.contains("Account <span class=\"mono\">123456789012</span> · us-east-1"));
        for shown in [
            "demo",
            "prod",
            "https://127.0.0.1:40001",
            "1.33",
            "ng",
            "fp",
            "vpc-cni",
            "v1.19.0-eksbuild.1",
            "arn:aws:iam::123456789012:user/testing",
            "AmazonEKSClusterAdminPolicy",
            "sub-0123",
        ] {
            assert!(page.contains(shown), "{shown} missing");
        }
        assert!(page.contains("<span class=\"badge busy\">CREATING</span>"));
        assert!(page.contains("<span class=\"badge failed\">CREATE_FAILED</span>"));
        assert!(page.contains("<span class=\"badge warn\">DEGRADED</span>"));
        assert!(page.contains("<span class=\"badge ok\">ACTIVE</span>"));
        assert!(page.contains("<span class=\"badge busy\">DELETING</span>"));
        assert!(page.contains("→ ACTIVE in 9.5 s"));
        assert!(page.contains("→ DELETED due now"));
        assert_balanced(&page);
    }

    #[test]
    fn faults_read_as_sentences() {
        let page = render(&full());
        assert!(
            page.contains("<td>Queued answers</td><td>DescribeCluster</td><td>next 2 call(s)</td>")
        );
        assert!(page.contains("<td>Latency</td><td>every operation</td><td>0.5 s per answer</td>"));
        assert!(
            page.contains("<td>Error rate</td><td>CreateCluster</td><td>10% of calls fail</td>")
        );
        assert!(page.contains(
            "<td>Dropped connections</td><td>every operation</td><td>100% of calls</td>"
        ));
    }

    #[test]
    fn failed_requests_stand_out_with_their_error_code() {
        let page = render(&full());
        let failed = page.find("<tr class=\"error\">").expect("a red row");
        let row = &page[failed..failed + page[failed..].find("</tr>").unwrap_or(0)];
        assert!(
            row.contains("DescribeCluster")
                && row.contains("404")
                && row.contains("ResourceNotFoundException")
        );
        assert!(row.contains("07:20:00.100"));
        assert_eq!(page.matches("<tr class=\"error\">").count(), 1);
        assert!(
            page.contains("<tr><td class=\"mono nowrap\">07:19:59.600</td><td>CreateCluster</td>")
        );
    }

    #[test]
    fn a_dropped_request_and_one_outside_the_model_are_shown() {
        let page = render(&json!({"requests": [
            {"time": NOW, "operation": null, "method": "GET", "path": "/nowhere", "status": 404, "error_code": "UnknownOperationException"},
            {"time": NOW, "operation": "ListClusters", "method": "GET", "path": "/clusters", "status": null}
        ]}));
        assert!(page.contains("not an operation"));
        assert!(page.contains("no answer"));
        assert_eq!(page.matches("<tr class=\"error\">").count(), 2);
    }

    #[test]
    fn markup_in_values_stays_text() {
        let mut overview = full();
        overview["regions"][0]["clusters"][0]["name"] = json!("<b>x</b>");
        overview["regions"][0]["clusters"][0]["nodegroups"][0]["name"] =
            json!("<script>alert(1)</script>");
        overview["regions"][0]["clusters"][0]["addons"][0]["version"] =
            json!("\"><img src=x onerror=alert(1)>");
        overview["requests"][0]["path"] = json!("/clusters/<script>");
        overview["faults"]["latency"] = json!({"<script>": 1.0});
        overview["endpoint"] = json!("http://x\" onmouseover=\"alert(1)");
        let page = render(&overview);
        assert!(page.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(!page.contains("<b>"));
        assert!(!page.to_ascii_lowercase().contains("<script"));
        assert!(!page.contains("<img"));
        assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
        assert!(page.contains("http://x&quot; onmouseover=&quot;alert(1)"));
        assert_balanced(&page);
    }

    #[test]
    fn unknown_keys_are_not_printed() {
        let mut overview = full();
        overview["secret_access_key"] = json!("TOP-SECRET-1");
        overview["regions"][0]["clusters"][0]["session_token"] = json!("TOP-SECRET-2");
        overview["regions"][0]["clusters"][0]["nodegroups"][0]["secret"] = json!("TOP-SECRET-3");
        overview["requests"][0]["headers"] = json!({"authorization": "TOP-SECRET-4"});
        overview["faults"]["unknown_kind"] = json!({"TOP-SECRET-5": 1});
        let page = render(&overview);
        assert!(!page.contains("TOP-SECRET"));
    }

    #[test]
    fn an_empty_emulator_reads_well() {
        for overview in [
            json!({}),
            json!({"now": NOW, "endpoint": "http://127.0.0.1:9566", "regions": [],
                                            "faults": {"queued": {}, "latency": {}, "error_rates": {}, "drops": {}},
                                            "requests": []}),
            Value::Null,
            json!([1, 2]),
        ] {
            let page = render(&overview);
            assert!(page.contains("No clusters yet"));
            assert!(page.contains("No requests yet."));
            assert!(page.contains("<h2>Active faults</h2>\n<p class=\"empty\">None"));
            assert!(page.contains("<h2>Pending transitions</h2>\n<p class=\"empty\">None"));
            assert!(page.contains("<meta http-equiv=\"refresh\" content=\"2\">"));
            assert_balanced(&page);
        }
    }

    #[test]
    fn a_region_with_only_subscriptions_still_says_there_are_no_clusters() {
        let page = render(
            &json!({"regions": [{"account_id": "1", "region": "r", "clusters": [],
                                                "subscriptions": [{"id": "s-1", "status": "CREATING"}]}]}),
        );
        assert!(page.contains("No clusters yet"));
        assert!(page.contains("s-1"));
    }

    #[test]
    fn wrong_types_do_not_panic() {
        let page = render(
            &json!({"now": "soon", "endpoint": 5, "regions": [{"clusters": [{"name": ["x"], "status": 3,
            "pending": {"status": "ACTIVE", "at": "later"}, "nodegroups": {"a": 1}}]}],
            "faults": {"latency": {"*": "slow"}}, "requests": [{"time": -1e300, "status": "200"}]}),
        );
        assert!(page.contains("<span class=\"badge other\">unknown</span>"));
        assert!(page.contains("→ ACTIVE soon"));
        assert_balanced(&page);
    }

    #[test]
    fn numbers_are_short() {
        let page = render(
            &json!({"faults": {"latency": {"*": 0.05, "ListClusters": 12.0, "DescribeCluster": 0.0}}}),
        );
        assert!(page.contains("<td>0.05 s per answer</td>"));
        assert!(page.contains("<td>12 s per answer</td>"));
        assert!(page.contains("<td>0 s per answer</td>"));
    }

    #[test]
    fn at_most_fifty_requests() {
        let requests: Vec<Value> = (0..80)
            .map(|i| json!({"time": NOW, "operation": format!("Op{i}"), "status": 200}))
            .collect();
        let page = render(&json!({"requests": requests}));
        assert!(page.contains("Op49<") && !page.contains("Op50<"));
    }

    #[test]
    fn no_script_and_no_external_asset() {
        let page = render(&full()).to_ascii_lowercase();
        assert!(!page.contains("<script"));
        for external in ["src=", "href=", "url(", "@import"] {
            assert!(!page.contains(external), "{external}");
        }
        assert!(page.contains("content-security-policy"));
    }
}
