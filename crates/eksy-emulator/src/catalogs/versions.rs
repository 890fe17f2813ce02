//! The one Kubernetes version catalog every version decision reads: DescribeClusterVersions,
//! the versions CreateCluster and UpdateClusterVersion accept, node group versions and AMI
//! release versions, add-on compatibility and the upgrade insights. Support follows each
//! version's dates and the emulator clock: a version is offered from its release date, in
//! standard support for 14 months, then in extended support for 12 more, then unsupported.
//!
//! The built-in data holds Kubernetes 1.29 to 1.35 with EKS's published dates (realistic up to
//! at least 2026-12-02); a test replaces it per region with the `set_version_catalog` control. The handler that
//! answers DescribeClusterVersions from it is `service::versions`.

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
}
