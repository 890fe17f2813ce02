//! Unit tests of `rbac`.

use super::*;
use crate::kube::subject::PolicyGrant;

fn attrs(verb: &str, resource: &str, namespace: &str) -> Attributes {
    Attributes {
        verb: verb.into(),
        resource: Some(ResourceAttributes {
            group: String::new(),
            resource: resource.into(),
            subresource: String::new(),
            namespace: namespace.into(),
            name: String::new(),
        }),
        path: String::new(),
    }
}

fn subject(policy: &str, namespaces: Option<Vec<String>>) -> Subject {
    Subject {
        username: "u".into(),
        groups: vec!["system:authenticated".into()],
        policies: vec![PolicyGrant {
            arn: format!("arn:aws:eks::aws:cluster-access-policy/{policy}"),
            namespaces,
        }],
        ..Subject::default()
    }
}

#[test]
fn view_lists_namespaces_but_cannot_create_them() {
    let kube = KubeData::default();
    let viewer = subject("AmazonEKSViewPolicy", None);
    assert!(authorize(&kube, &viewer, &attrs("list", "namespaces", "")));
    assert!(!authorize(
        &kube,
        &viewer,
        &attrs("create", "namespaces", "")
    ));
    assert!(!authorize(&kube, &viewer, &attrs("list", "nodes", "")));
    assert!(!authorize(
        &kube,
        &viewer,
        &attrs("get", "secrets", "default")
    ));
    let admin = subject("AmazonEKSClusterAdminPolicy", None);
    assert!(authorize(&kube, &admin, &attrs("create", "namespaces", "")));
}

#[test]
fn namespace_scope_limits_a_policy() {
    let kube = KubeData::default();
    let editor = subject("AmazonEKSEditPolicy", Some(vec!["team-*".into()]));
    assert!(authorize(
        &kube,
        &editor,
        &attrs("create", "configmaps", "team-a")
    ));
    assert!(!authorize(
        &kube,
        &editor,
        &attrs("create", "configmaps", "default")
    ));
    assert!(!authorize(&kube, &editor, &attrs("list", "namespaces", "")));
}
