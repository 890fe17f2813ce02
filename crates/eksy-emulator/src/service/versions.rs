//! The one Kubernetes version catalog every version decision reads: DescribeClusterVersions,
//! the versions CreateCluster and UpdateClusterVersion accept, node group versions and AMI
//! release versions, add-on compatibility and the upgrade insights. Support follows each
//! version's dates and the emulator clock: a version is offered from its release date, in
//! standard support for 14 months, then in extended support for 12 more, then unsupported.
//!
//! The built-in data holds Kubernetes 1.29 to 1.35 with EKS's published dates (realistic up to
//! at least 2026-12-02); a test replaces it per region with the `set_version_catalog` control.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

const DAY: f64 = 86_400.0;
/// AMIs for a Kubernetes version are published this often (a new release version each time).
const AMI_RELEASE_INTERVAL_DAYS: f64 = 14.0;
/// The most versions a replaced catalog may hold.
pub const MAX_CATALOG_VERSIONS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionInfo {
    /// `1.NN`.
    pub version: String,
    /// Epoch seconds (UTC).
    pub release_date: f64,
    pub end_of_standard_support: f64,
    pub end_of_extended_support: f64,
    /// `eks.N`, the platform version new clusters and upgrades get.
    pub platform_version: String,
    /// `1.NN.P`, the Kubernetes patch EKS runs (and AMI release versions carry).
    pub kubernetes_patch_version: String,
}

/// Support status of a version at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Released later than the moment: not offered at all yet.
    Unreleased,
    Standard,
    Extended,
    Unsupported,
}

impl Support {
    pub fn version_status(self) -> &'static str {
        match self {
            Support::Standard => "STANDARD_SUPPORT",
            Support::Extended => "EXTENDED_SUPPORT",
            Support::Unreleased | Support::Unsupported => "UNSUPPORTED",
        }
    }

    /// The deprecated `status` member's spelling.
    pub fn status(self) -> &'static str {
        match self {
            Support::Standard => "standard-support",
            Support::Extended => "extended-support",
            Support::Unreleased | Support::Unsupported => "unsupported",
        }
    }

    /// Whether clusters can be created on (or upgraded to) the version.
    pub fn offered(self) -> bool {
        matches!(self, Support::Standard | Support::Extended)
    }
}

/// The versions of one region, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub versions: Vec<VersionInfo>,
}

impl Default for Catalog {
    fn default() -> Catalog {
        Catalog::builtin()
    }
}

/// Seconds since the epoch of a UTC date (days-from-civil, proleptic Gregorian).
pub fn epoch((year, month, day): (i64, i64, i64)) -> f64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    ((era * 146_097 + doe - 719_468) * 86_400) as f64
}

/// `YYYYMMDD` of epoch seconds (UTC).
fn yyyymmdd(seconds: f64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(seconds.floor() as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day())
}

/// The minor number of "1.NN".
pub fn minor(kubernetes: &str) -> Option<u32> {
    kubernetes.strip_prefix("1.")?.parse().ok()
}

/// `(version, patch, platform, released, end of standard, end of extended)`, the dates as
/// EKS's version calendar publishes them.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    (i64, i64, i64),
    (i64, i64, i64),
    (i64, i64, i64),
);

const BUILTIN: &[Row] = &[
    (
        "1.29",
        "1.29.15",
        "eks.41",
        (2024, 1, 23),
        (2025, 3, 23),
        (2026, 3, 23),
    ),
    (
        "1.30",
        "1.30.14",
        "eks.37",
        (2024, 5, 23),
        (2025, 7, 23),
        (2026, 7, 23),
    ),
    (
        "1.31",
        "1.31.13",
        "eks.33",
        (2024, 9, 26),
        (2025, 11, 26),
        (2026, 11, 26),
    ),
    (
        "1.32",
        "1.32.9",
        "eks.25",
        (2025, 1, 23),
        (2026, 3, 23),
        (2027, 3, 23),
    ),
    (
        "1.33",
        "1.33.5",
        "eks.19",
        (2025, 5, 29),
        (2026, 7, 29),
        (2027, 7, 29),
    ),
    (
        "1.34",
        "1.34.2",
        "eks.12",
        (2025, 10, 2),
        (2026, 12, 2),
        (2027, 12, 2),
    ),
    (
        "1.35",
        "1.35.1",
        "eks.7",
        (2026, 1, 27),
        (2027, 3, 27),
        (2028, 3, 27),
    ),
];

impl Catalog {
    pub fn builtin() -> Catalog {
        let versions = BUILTIN
            .iter()
            .map(
                |(version, patch, platform, released, standard, extended)| VersionInfo {
                    version: (*version).to_string(),
                    release_date: epoch(*released),
                    end_of_standard_support: epoch(*standard),
                    end_of_extended_support: epoch(*extended),
                    platform_version: (*platform).to_string(),
                    kubernetes_patch_version: (*patch).to_string(),
                },
            )
            .collect();
        Catalog { versions }
    }

    pub fn get(&self, version: &str) -> Option<&VersionInfo> {
        self.versions.iter().find(|v| v.version == version)
    }

    pub fn support(&self, version: &str, now: f64) -> Option<Support> {
        self.get(version).map(|v| v.support(now))
    }

    /// A version new clusters and upgrades may use at `now`.
    pub fn offered(&self, version: &str, now: f64) -> Option<&VersionInfo> {
        self.get(version).filter(|v| v.support(now).offered())
    }

    /// The version CreateCluster uses without one: the newest but one of the versions in
    /// standard support (EKS's default lags the newest), the newest when it is the only one,
    /// else the newest version still offered.
    pub fn default_version(&self, now: f64) -> Option<&VersionInfo> {
        let standard: Vec<&VersionInfo> = self
            .versions
            .iter()
            .filter(|v| v.support(now) == Support::Standard)
            .collect();
        match standard.as_slice() {
            [] => self
                .versions
                .iter()
                .rev()
                .find(|v| v.support(now).offered()),
            [only] => Some(only),
            [.., second, _] => Some(second),
        }
    }

    /// The version an upgrade from `current` goes to: the next minor, if it is offered.
    pub fn next_offered(&self, current: &str, now: f64) -> Option<&VersionInfo> {
        let next = minor(current)? + 1;
        self.versions
            .iter()
            .find(|v| minor(&v.version) == Some(next) && v.support(now).offered())
    }

    /// Versions offered at `now`, oldest first.
    pub fn offered_versions(&self, now: f64) -> impl DoubleEndedIterator<Item = &VersionInfo> {
        self.versions
            .iter()
            .filter(move |v| v.support(now).offered())
    }
}

impl VersionInfo {
    pub fn support(&self, now: f64) -> Support {
        if now < self.release_date {
            Support::Unreleased
        } else if now < self.end_of_standard_support {
            Support::Standard
        } else if now < self.end_of_extended_support {
            Support::Extended
        } else {
            Support::Unsupported
        }
    }

    /// The date of the newest AMI release at `now`: AMIs come out every two weeks from the
    /// version's release until its extended support ends; None before the release.
    fn latest_ami_date(&self, now: f64) -> Option<f64> {
        let until = now.min(self.end_of_extended_support);
        if until < self.release_date {
            return None;
        }
        let interval = AMI_RELEASE_INTERVAL_DAYS * DAY;
        let builds = ((until - self.release_date) / interval).floor();
        Some(self.release_date + builds * interval)
    }

    /// The newest AMI release version at `now`, e.g. `1.35.1-20261124`.
    pub fn latest_release_version(&self, now: f64) -> Option<String> {
        self.latest_ami_date(now)
            .map(|date| format!("{}-{}", self.kubernetes_patch_version, yyyymmdd(date)))
    }

    /// The date of a release version of this Kubernetes version (`1.NN.P-YYYYMMDD`), if it
    /// is one that exists at `now`: of this minor, no earlier than the version's release and
    /// no later than the newest AMI.
    pub fn release_version_date(&self, release: &str, now: f64) -> Option<f64> {
        let (patch, date) = release.split_once('-')?;
        let minor_prefix = format!("{}.", self.version);
        let patch_number = patch.strip_prefix(&minor_prefix)?;
        if patch_number.is_empty() || !patch_number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number = |range: std::ops::Range<usize>| date.get(range)?.parse::<i64>().ok();
        let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        let seconds = epoch((year, month, day));
        let newest = self.latest_ami_date(now)?;
        let release_day = (self.release_date / DAY).floor() * DAY;
        (seconds >= release_day && seconds <= newest).then_some(seconds)
    }

    /// `ClusterVersionInformation` at `now`.
    pub fn information(&self, now: f64, default: bool) -> Value {
        let support = self.support(now);
        json!({
            "clusterVersion": self.version,
            "clusterType": "eks",
            "defaultPlatformVersion": self.platform_version,
            "defaultVersion": default,
            "releaseDate": self.release_date,
            "endOfStandardSupportDate": self.end_of_standard_support,
            "endOfExtendedSupportDate": self.end_of_extended_support,
            "status": support.status(),
            "versionStatus": support.version_status(),
            "kubernetesPatchVersion": self.kubernetes_patch_version,
        })
    }
}

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
pub fn set_catalog(region: &mut crate::state::RegionState, args: &Value) -> Result<Value, String> {
    let catalog = catalog_from_args(args)?;
    region.versions = catalog;
    region.changed();
    Ok(catalog_view(region))
}

/// The catalog of a region in the control's argument form (dates as epoch seconds).
pub fn catalog_view(region: &crate::state::RegionState) -> Value {
    json!({ "versions": region.versions.versions })
}

/// `DescribeClusterVersions`.
pub fn describe_cluster_versions(
    ctx: &mut super::Ctx,
    input: &Value,
) -> Result<Value, crate::error::AwsError> {
    let now = ctx.now;
    let catalog = &ctx.resources.versions;
    let wanted: Vec<&str> = input
        .get("clusterVersions")
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let flag = |member: &str| input.get(member).and_then(Value::as_bool) == Some(true);
    let (default_only, include_all) = (flag("defaultOnly"), flag("includeAll"));
    let cluster_type = super::opt_text(input, "clusterType").unwrap_or("eks");
    let status = super::opt_text(input, "status");
    let version_status = super::opt_text(input, "versionStatus");
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
    super::item_page(items, input, "clusterVersions")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(epoch((1970, 1, 1)), 0.0);
        assert_eq!(epoch((2024, 3, 1)), 1_709_251_200.0);
        assert_eq!(yyyymmdd(epoch((2026, 12, 2)) + 3600.0), "20261202");
    }

    #[test]
    fn builtin_calendar_follows_the_fourteen_plus_twelve_month_rule() {
        for v in Catalog::builtin().versions {
            let months = |a: f64, b: f64| ((b - a) / DAY / 30.4).round();
            assert_eq!(
                months(v.release_date, v.end_of_standard_support),
                14.0,
                "{}",
                v.version
            );
            assert_eq!(
                months(v.end_of_standard_support, v.end_of_extended_support),
                12.0,
                "{}",
                v.version
            );
        }
    }

    #[test]
    fn support_and_default_on_2026_12_02() {
        let catalog = Catalog::builtin();
        let now = epoch((2026, 12, 2)) + 8.0 * 3600.0;
        assert_eq!(catalog.support("1.35", now), Some(Support::Standard));
        assert_eq!(catalog.support("1.34", now), Some(Support::Extended));
        assert_eq!(catalog.support("1.31", now), Some(Support::Unsupported));
        assert_eq!(catalog.default_version(now).unwrap().version, "1.35");
        assert_eq!(catalog.next_offered("1.34", now).unwrap().version, "1.35");
        assert!(catalog.next_offered("1.35", now).is_none());
        assert!(catalog.offered("1.31", now).is_none());
        // Before 1.35's release 1.34 was the newest and 1.33 the default.
        let earlier = epoch((2025, 12, 1));
        assert!(catalog.offered("1.35", earlier).is_none());
        assert_eq!(catalog.default_version(earlier).unwrap().version, "1.33");
    }

    #[test]
    fn release_versions_never_predate_their_kubernetes_release() {
        let catalog = Catalog::builtin();
        let v135 = catalog.get("1.35").unwrap();
        assert_eq!(v135.latest_release_version(v135.release_date - 1.0), None);
        let at_release = v135.latest_release_version(v135.release_date).unwrap();
        assert_eq!(at_release, "1.35.1-20260127");
        let now = epoch((2026, 12, 2));
        let latest = v135.latest_release_version(now).unwrap();
        assert!(v135.release_version_date(&latest, now).is_some());
        assert!(v135.release_version_date("1.35.1-20260126", now).is_none());
        assert!(v135.release_version_date("1.34.1-20260301", now).is_none());
        assert!(v135.release_version_date("1.35.1-20270101", now).is_none());
        assert!(v135.release_version_date("1.35.x-20260301", now).is_none());
    }

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
