//! Unit tests of `addons`.

use super::*;

#[test]
fn every_addon_supports_every_kubernetes_version() {
    let catalog = Catalog::builtin();
    for addon in ADDONS {
        for v in &catalog.versions {
            assert!(
                addon.default_version(&v.version, &catalog).is_some(),
                "{} on {}",
                addon.name,
                v.version
            );
        }
    }
    assert_eq!(
        addon("kube-proxy")
            .unwrap()
            .default_version("1.31", &catalog)
            .as_deref(),
        Some("v1.31.13-eksbuild.1")
    );
    assert!(
        serde_json::from_str::<Value>(&addon("coredns").unwrap().configuration_schema()).is_ok()
    );
}
