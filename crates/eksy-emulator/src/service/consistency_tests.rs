//! A property test over dates: at every date, DescribeClusterVersions, the versions
//! CreateCluster accepts, UpdateClusterVersion, the upgrade insights, node group release
//! versions and add-on compatibility all tell the same story, because they read one catalog.

use super::context::Ctx;
use crate::catalogs::versions::{epoch, Catalog, Support};
use crate::ops::{dispatch, Op};
use crate::state::RegionState;
use crate::timings::Timings;
use serde_json::{json, Value};

const DAY: f64 = 86_400.0;
const ROLE: &str = "arn:aws:iam::123456789012:role/eks";

fn call(region: &mut RegionState, now: f64, op: Op, input: Value) -> Result<Value, String> {
    let mut ctx = Ctx {
        resources: region,
        // Updates stay in progress, so one can be cancelled and the version kept.
        timings: Timings {
            cluster_update: 1.0e9,
            ..Timings::instant()
        },
        now,
        account: "123456789012",
        region: "us-east-1",
        principal: "arn:aws:iam::123456789012:role/admin",
    };
    let out = dispatch(&mut ctx, op, &input).map_err(|e| format!("{}: {}", e.code, e.message));
    ctx.resources.changed();
    ctx.resources.settle(now);
    out
}

fn create_cluster(
    region: &mut RegionState,
    now: f64,
    name: &str,
    version: &str,
) -> Result<Value, String> {
    call(
        region,
        now,
        Op::CreateCluster,
        json!({"name": name, "roleArn": ROLE, "version": version,
               "resourcesVpcConfig": {"subnetIds": ["subnet-a", "subnet-b"]}}),
    )
}

/// Every date checked: weekly from before 1.29's release to after 1.35's extended support.
fn dates() -> impl Iterator<Item = f64> {
    let start = epoch((2023, 12, 1));
    let end = epoch((2028, 6, 1));
    (0..)
        .map(move |week| start + f64::from(week) * 7.0 * DAY + 3600.0)
        .take_while(move |now| *now < end)
}

#[test]
fn catalog_insights_upgrades_and_release_versions_agree_at_every_date() {
    let catalog = Catalog::builtin();
    for now in dates() {
        let mut region = RegionState::default();
        let listed = call(
            &mut region,
            now,
            Op::DescribeClusterVersions,
            json!({"includeAll": true}),
        )
        .expect("DescribeClusterVersions");
        let listed = listed["clusterVersions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let defaults: Vec<&Value> = listed
            .iter()
            .filter(|v| v["defaultVersion"] == true)
            .collect();
        let any_standard = catalog
            .versions
            .iter()
            .any(|v| v.support(now) == Support::Standard);
        let any_offered = catalog.offered_versions(now).next().is_some();
        assert_eq!(
            defaults.len(),
            usize::from(any_offered),
            "one default at {now}"
        );
        if any_standard {
            assert_eq!(
                defaults[0]["versionStatus"], "STANDARD_SUPPORT",
                "default at {now}"
            );
        }
        for info in &catalog.versions {
            let support = info.support(now);
            let shown = listed
                .iter()
                .find(|v| v["clusterVersion"] == info.version.as_str());
            assert_eq!(
                shown.is_some(),
                support != Support::Unreleased,
                "{} at {now}",
                info.version
            );
            if let Some(shown) = shown {
                assert_eq!(shown["versionStatus"], support.version_status());
            }
            let name = format!("c{}", info.version.replace('.', "-"));
            let created = create_cluster(&mut region, now, &name, &info.version);
            assert_eq!(
                created.is_ok(),
                support.offered(),
                "create {} at {now}: {created:?}",
                info.version
            );
            if created.is_err() {
                continue;
            }
            // Node groups get an AMI release of their version, never one from before it.
            let ng = call(
                &mut region,
                now,
                Op::CreateNodegroup,
                json!({"clusterName": name, "nodegroupName": "ng", "subnets": ["subnet-a"], "nodeRole": ROLE}),
            )
            .expect("CreateNodegroup");
            let release = ng["nodegroup"]["releaseVersion"].as_str().unwrap_or("");
            let date = info.release_version_date(release, now);
            assert!(
                date.is_some_and(|d| d >= (info.release_date / DAY).floor() * DAY && d <= now),
                "{release} at {now}"
            );
            // Insights speak of exactly the version an upgrade may go to.
            let next = catalog
                .next_offered(&info.version, now)
                .map(|v| v.version.clone());
            let insights = call(
                &mut region,
                now,
                Op::ListInsights,
                json!({"clusterName": name}),
            )
            .expect("ListInsights");
            let versions: Vec<&str> = insights["insights"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i["kubernetesVersion"].as_str())
                .collect();
            match &next {
                Some(next) => assert!(
                    !versions.is_empty() && versions.iter().all(|v| v == next),
                    "{versions:?} at {now}"
                ),
                None => assert!(versions.is_empty(), "{versions:?} at {now}"),
            }
            for target in &catalog.versions {
                let upgrade = call(
                    &mut region,
                    now,
                    Op::UpdateClusterVersion,
                    json!({"name": name, "version": target.version, "force": true}),
                );
                let expected = next.as_deref() == Some(target.version.as_str());
                // The node group is on the cluster's version, so only the version decides.
                assert_eq!(
                    upgrade.is_ok(),
                    expected,
                    "{} -> {} at {now}: {upgrade:?}",
                    info.version,
                    target.version
                );
                if upgrade.is_ok() {
                    call(&mut region, now, Op::CancelUpdate, json!({"name": name, "updateId": upgrade.unwrap_or_default()["update"]["id"]}))
                        .expect("CancelUpdate");
                }
            }
            // Add-ons are compatible only with versions the catalog offers.
            let addons = call(
                &mut region,
                now,
                Op::DescribeAddonVersions,
                json!({"addonName": "kube-proxy"}),
            )
            .expect("DescribeAddonVersions");
            for compatibility in addons["addons"][0]["addonVersions"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|v| v["compatibilities"].as_array().cloned().unwrap_or_default())
            {
                let version = compatibility["clusterVersion"].as_str().unwrap_or("");
                assert!(
                    catalog.offered(version, now).is_some(),
                    "{version} at {now}"
                );
            }
        }
    }
}

#[test]
fn a_replaced_catalog_is_what_every_operation_sees() {
    let mut region = RegionState::default();
    let now = epoch((2030, 6, 1));
    crate::catalogs::version_args::set_catalog(
        &mut region.versions,
        &json!({"versions": [
            {"version": "1.40", "release_date": "2030-01-01", "end_of_standard_support": "2031-03-01",
             "end_of_extended_support": "2032-03-01", "platform_version": "eks.3"},
            {"version": "1.41", "release_date": "2030-05-01", "end_of_standard_support": "2031-07-01",
             "end_of_extended_support": "2032-07-01"},
        ]}),
    )
    .expect("set_catalog");
    let cluster = call(
        &mut region,
        now,
        Op::CreateCluster,
        json!({"name": "a", "roleArn": ROLE, "resourcesVpcConfig": {"subnetIds": ["s1", "s2"]}}),
    )
    .expect("default version");
    assert_eq!(cluster["cluster"]["version"], "1.40");
    assert_eq!(cluster["cluster"]["platformVersion"], "eks.3");
    assert!(create_cluster(&mut region, now, "b", "1.35").is_err());
    let insights = call(
        &mut region,
        now,
        Op::ListInsights,
        json!({"clusterName": "a"}),
    )
    .expect("insights");
    assert!(insights["insights"]
        .as_array()
        .is_some_and(|i| !i.is_empty()));
    assert!(insights["insights"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|i| i["kubernetesVersion"] == "1.41"));
    let update = call(
        &mut region,
        now,
        Op::UpdateClusterVersion,
        json!({"name": "a", "version": "1.41"}),
    );
    assert!(update.is_ok(), "{update:?}");
}
