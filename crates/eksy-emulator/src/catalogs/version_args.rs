//! The `set_version_catalog` control's arguments as a catalog, and the catalog as that control
//! shows it (dates as epoch seconds).

use super::versions::{epoch, minor, Catalog, VersionInfo, MAX_CATALOG_VERSIONS};
use serde_json::{json, Value};

/// A date argument: epoch seconds or `YYYY-MM-DD`.
fn date_arg(entry: &Value, key: &str) -> Result<f64, String> {
    match entry.get(key) {
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .ok_or_else(|| format!("{key} must be a finite number of epoch seconds")),
        Some(Value::String(text)) => {
            // A real calendar day, written YYYY-MM-DD (so 2030-02-30 and 2030-2-1 are refused).
            let parts: Vec<&str> = text.split('-').collect();
            let day = match parts.as_slice() {
                [y, m, d]
                    if y.len() == 4
                        && m.len() == 2
                        && d.len() == 2
                        && text.bytes().all(|b| b.is_ascii_digit() || b == b'-') =>
                {
                    let (year, month, day) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>());
                    match (
                        year,
                        month.ok().and_then(|m| time::Month::try_from(m).ok()),
                        day,
                    ) {
                        (Ok(year), Some(month), Ok(day)) => {
                            time::Date::from_calendar_date(year, month, day).ok()
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            day.map(|d| {
                epoch((
                    i64::from(d.year()),
                    i64::from(u8::from(d.month())),
                    i64::from(d.day()),
                ))
            })
            .ok_or_else(|| format!("{key} must be epoch seconds or YYYY-MM-DD, not {text:?}"))
        }
        _ => Err(format!("{key} (epoch seconds or YYYY-MM-DD) is required")),
    }
}

fn version_from_args(entry: &Value) -> Result<VersionInfo, String> {
    let Some(fields) = entry.as_object() else {
        return Err("each version must be an object".into());
    };
    const KNOWN: [&str; 6] = [
        "version",
        "release_date",
        "end_of_standard_support",
        "end_of_extended_support",
        "platform_version",
        "kubernetes_patch_version",
    ];
    if let Some(unknown) = fields.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(format!(
            "unknown version field {unknown:?}; known: {KNOWN:?}"
        ));
    }
    let version = entry
        .get("version")
        .and_then(Value::as_str)
        // Canonical "1.NN" only: "1.035" or "1.35 " would be a second spelling of a version.
        .filter(|v| minor(v).is_some_and(|m| v.strip_prefix("1.") == Some(m.to_string().as_str())))
        .ok_or("version must be a string like \"1.35\"")?
        .to_string();
    let release_date = date_arg(entry, "release_date")?;
    let end_of_standard_support = date_arg(entry, "end_of_standard_support")?;
    let end_of_extended_support = date_arg(entry, "end_of_extended_support")?;
    if !(release_date < end_of_standard_support
        && end_of_standard_support <= end_of_extended_support)
    {
        return Err(format!(
            "{version}: dates must satisfy release_date < end_of_standard_support <= end_of_extended_support"
        ));
    }
    let platform_version = match entry.get("platform_version") {
        None => "eks.1".to_string(),
        Some(Value::String(p))
            if p.strip_prefix("eks.")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            p.clone()
        }
        Some(other) => {
            return Err(format!(
                "{version}: platform_version must be like \"eks.3\", not {other}"
            ))
        }
    };
    let kubernetes_patch_version = match entry.get("kubernetes_patch_version") {
        None => format!("{version}.0"),
        Some(Value::String(p))
            if p.strip_prefix(&format!("{version}."))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            p.clone()
        }
        Some(other) => {
            return Err(format!(
                "{version}: kubernetes_patch_version must be like \"{version}.4\", not {other}"
            ))
        }
    };
    Ok(VersionInfo {
        version,
        release_date,
        end_of_standard_support,
        end_of_extended_support,
        platform_version,
        kubernetes_patch_version,
    })
}

/// The catalog described by `set_version_catalog`'s arguments: `{"versions": [{version,
/// release_date, end_of_standard_support, end_of_extended_support, platform_version?,
/// kubernetes_patch_version?}]}` (dates as epoch seconds or `YYYY-MM-DD`), or
/// `{"builtin": true}` for the built-in data.
pub fn catalog_from_args(args: &Value) -> Result<Catalog, String> {
    if args.get("builtin").and_then(Value::as_bool) == Some(true) {
        return Ok(Catalog::builtin());
    }
    let Some(entries) = args.get("versions").and_then(Value::as_array) else {
        return Err("set_version_catalog needs \"versions\": [...] or \"builtin\": true".into());
    };
    if entries.is_empty() || entries.len() > MAX_CATALOG_VERSIONS {
        return Err(format!(
            "a catalog holds between 1 and {MAX_CATALOG_VERSIONS} versions"
        ));
    }
    let mut versions = entries
        .iter()
        .map(version_from_args)
        .collect::<Result<Vec<_>, _>>()?;
    versions.sort_by_key(|v| minor(&v.version));
    if let Some(pair) = versions.windows(2).find(|w| w[0].version == w[1].version) {
        return Err(format!("version {} appears twice", pair[0].version));
    }
    Ok(Catalog { versions })
}

/// Replaces the catalog of one region (the `set_version_catalog` control); returns what
/// `version_catalog` shows.
pub fn set_catalog(catalog: &mut Catalog, args: &Value) -> Result<Value, String> {
    *catalog = catalog_from_args(args)?;
    Ok(catalog_view(catalog))
}

/// The catalog of a region in the control's argument form (dates as epoch seconds).
pub fn catalog_view(catalog: &Catalog) -> Value {
    json!({ "versions": catalog.versions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_from_control_arguments() {
        let args = json!({"versions": [
            {"version": "1.40", "release_date": "2030-01-01", "end_of_standard_support": "2031-03-01",
             "end_of_extended_support": "2032-03-01", "platform_version": "eks.2"},
            {"version": "1.39", "release_date": 1.0e9, "end_of_standard_support": 1.1e9,
             "end_of_extended_support": 1.2e9},
        ]});
        let catalog = catalog_from_args(&args).unwrap();
        assert_eq!(catalog.versions[0].version, "1.39");
        assert_eq!(catalog.versions[0].kubernetes_patch_version, "1.39.0");
        assert_eq!(catalog.versions[1].release_date, epoch((2030, 1, 1)));
        for bad in [
            json!({}),
            json!({"versions": []}),
            json!({"versions": [{"version": "x", "release_date": 1, "end_of_standard_support": 2, "end_of_extended_support": 3}]}),
            json!({"versions": [{"version": "1.2", "release_date": 3, "end_of_standard_support": 2, "end_of_extended_support": 3}]}),
            json!({"versions": [{"version": "1.2", "release_date": 1, "end_of_standard_support": 2, "end_of_extended_support": 3, "bogus": 1}]}),
            json!({"versions": [{"version": "1.2", "release_date": "2030-02-30", "end_of_standard_support": "2031-01-01", "end_of_extended_support": "2032-01-01"}]}),
            json!({"versions": [{"version": "1.2", "release_date": "2030-2-1", "end_of_standard_support": "2031-01-01", "end_of_extended_support": "2032-01-01"}]}),
            json!({"versions": [{"version": "1.035", "release_date": 1, "end_of_standard_support": 2, "end_of_extended_support": 3}]}),
            json!({"versions": [{"version": "2.1", "release_date": 1, "end_of_standard_support": 2, "end_of_extended_support": 3}]}),
        ] {
            assert!(catalog_from_args(&bad).is_err(), "{bad}");
        }
        assert_eq!(
            catalog_from_args(&json!({"builtin": true})).unwrap(),
            Catalog::builtin()
        );
    }
}
