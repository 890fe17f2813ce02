//! Cells of the page: statuses as badges, times, numbers, and HTML escaping of every value.

use serde_json::Value;

/// A status as a coloured badge; the colour comes from a fixed set of classes.
pub(super) fn badge(status: Option<&Value>) -> String {
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
pub(super) fn pending_note(pending: Option<&Value>, now: Option<f64>) -> String {
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
pub(super) fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => escape(s),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => "—".to_owned(),
    }
}

pub(super) fn list(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

pub(super) fn entries(value: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|map| map.iter())
}

/// A short decimal: one place from 1 up ("12", "3.2"), three below ("0.5", "0.05").
pub(super) fn number(value: Option<f64>) -> String {
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

pub(super) fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r.is_finite() => format!("{}%", number(Some(r * 100.0))),
        _ => "—".to_owned(),
    }
}

/// Epoch seconds as "2025-12-02 07:20:00 UTC".
pub(super) fn timestamp(seconds: Option<f64>) -> String {
    match civil(seconds) {
        Some((y, mo, d, h, mi, s, _)) => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC"),
        None => "—".to_owned(),
    }
}

/// Epoch seconds as "07:20:00.500".
pub(super) fn time_of_day(seconds: Option<f64>) -> String {
    match civil(seconds) {
        Some((_, _, _, h, mi, s, ms)) => format!("{h:02}:{mi:02}:{s:02}.{ms:03}"),
        None => "—".to_owned(),
    }
}

/// UTC calendar fields of epoch seconds (days to civil date: Howard Hinnant's algorithm).
pub(super) fn civil(seconds: Option<f64>) -> Option<(i64, i64, i64, i64, i64, i64, i64)> {
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
pub(super) fn escape(raw: &str) -> String {
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
