//! Authorization: Kubernetes RBAC rules (the built-in `cluster-admin`, `admin`, `edit` and
//! `view` ClusterRoles, and Roles, ClusterRoles and bindings stored in the cluster), EKS
//! access policies (which grant the rules of their Kubernetes counterparts, within their
//! access scope), `system:masters`, and what any authenticated user may do (discovery, reviews).

use super::subject::Subject;
use super::KubeData;
use serde_json::{json, Value};

/// What one request asks to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Attributes {
    pub verb: String,
    /// None for a non-resource request (then `path` is used).
    pub resource: Option<ResourceAttributes>,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceAttributes {
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Rule {
    Rule {
        verbs: strings(verbs),
        api_groups: strings(groups),
        resources: strings(resources),
        ..Rule::default()
    }
}

fn paths(verbs: &[&str], urls: &[&str]) -> Rule {
    Rule {
        verbs: strings(verbs),
        non_resource_urls: strings(urls),
        ..Rule::default()
    }
}

const READ: &[&str] = &["get", "list", "watch"];
const WORKLOAD_GROUPS: &[&str] = &[
    "",
    "apps",
    "batch",
    "autoscaling",
    "networking.k8s.io",
    "policy",
];
/// Namespaced resources the aggregated `view`/`edit`/`admin` roles cover.
const WORKLOADS: &[&str] = &[
    "configmaps",
    "endpoints",
    "events",
    "limitranges",
    "persistentvolumeclaims",
    "pods",
    "pods/log",
    "pods/status",
    "replicationcontrollers",
    "resourcequotas",
    "serviceaccounts",
    "services",
    "controllerrevisions",
    "daemonsets",
    "deployments",
    "deployments/scale",
    "replicasets",
    "statefulsets",
    "cronjobs",
    "jobs",
    "horizontalpodautoscalers",
    "ingresses",
    "networkpolicies",
    "poddisruptionbudgets",
];

/// The rules of a built-in ClusterRole.
pub fn builtin_role(name: &str) -> Option<Vec<Rule>> {
    let namespaces = rule(READ, &[""], &["namespaces"]);
    let view = rule(READ, WORKLOAD_GROUPS, WORKLOADS);
    let mut edit_resources: Vec<&str> = WORKLOADS.to_vec();
    edit_resources.extend(["secrets", "pods/exec", "pods/attach", "pods/portforward"]);
    let edit = rule(
        &[
            "get",
            "list",
            "watch",
            "create",
            "update",
            "patch",
            "delete",
            "deletecollection",
        ],
        WORKLOAD_GROUPS,
        &edit_resources,
    );
    Some(match name {
        "cluster-admin" => vec![rule(&["*"], &["*"], &["*"]), paths(&["*"], &["*"])],
        "admin" => vec![
            namespaces,
            edit,
            rule(
                &["*"],
                &["rbac.authorization.k8s.io"],
                &["roles", "rolebindings"],
            ),
            rule(
                &["create"],
                &["authorization.k8s.io"],
                &["localsubjectaccessreviews"],
            ),
        ],
        "edit" => vec![namespaces, edit],
        "view" => vec![namespaces, view],
        _ => return None,
    })
}

pub const BUILTIN_ROLES: &[&str] = &["admin", "cluster-admin", "edit", "view"];

/// The rules an EKS access policy grants (the rest of the catalog grants none here).
pub fn access_policy_rules(policy_arn: &str) -> Vec<Rule> {
    let name = policy_arn.rsplit('/').next().unwrap_or("");
    match name {
        "AmazonEKSClusterAdminPolicy" => builtin_role("cluster-admin"),
        "AmazonEKSAdminPolicy" => builtin_role("admin"),
        "AmazonEKSEditPolicy" => builtin_role("edit"),
        "AmazonEKSViewPolicy" => builtin_role("view"),
        "AmazonEKSAdminViewPolicy" => Some(vec![rule(READ, &["*"], &["*"])]),
        _ => None,
    }
    .unwrap_or_default()
}

/// What every authenticated user may do (system:basic-user, system:discovery,
/// system:public-info-viewer).
fn authenticated_rules() -> Vec<Rule> {
    vec![
        rule(
            &["create"],
            &["authorization.k8s.io"],
            &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
        ),
        rule(
            &["create"],
            &["authentication.k8s.io"],
            &["selfsubjectreviews"],
        ),
        paths(
            &["get"],
            &[
                "/api",
                "/api/*",
                "/apis",
                "/apis/*",
                "/healthz",
                "/livez",
                "/readyz",
                "/version",
                "/version/",
                "/openapi",
                "/openapi/*",
            ],
        ),
    ]
}

fn listed(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == "*" || v == value)
}

fn url_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

pub fn rule_allows(rule: &Rule, attrs: &Attributes) -> bool {
    if !listed(&rule.verbs, &attrs.verb) {
        return false;
    }
    match &attrs.resource {
        None => rule
            .non_resource_urls
            .iter()
            .any(|p| url_matches(p, &attrs.path)),
        Some(r) => {
            let resource = if r.subresource.is_empty() {
                r.resource.clone()
            } else {
                format!("{}/{}", r.resource, r.subresource)
            };
            listed(&rule.api_groups, &r.group)
                && (listed(&rule.resources, &resource)
                    || rule
                        .resources
                        .iter()
                        .any(|x| x == &format!("{}/*", r.resource)))
                && (rule.resource_names.is_empty()
                    || (!r.name.is_empty() && rule.resource_names.contains(&r.name)))
        }
    }
}

/// Rules of a stored Role or ClusterRole object (`rules: [...]`).
pub fn rules_of(object: &Value) -> Vec<Rule> {
    let list = |rule: &Value, key: &str| -> Vec<String> {
        rule.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    object
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| Rule {
            verbs: list(r, "verbs"),
            api_groups: list(r, "apiGroups"),
            resources: list(r, "resources"),
            resource_names: list(r, "resourceNames"),
            non_resource_urls: list(r, "nonResourceURLs"),
        })
        .collect()
}

/// A built-in ClusterRole as an object.
pub fn builtin_role_object(name: &str) -> Option<Value> {
    let rules: Vec<Value> = builtin_role(name)?
        .into_iter()
        .map(|r| {
            let mut out = serde_json::Map::new();
            out.insert("verbs".into(), json!(r.verbs));
            if r.non_resource_urls.is_empty() {
                out.insert("apiGroups".into(), json!(r.api_groups));
                out.insert("resources".into(), json!(r.resources));
            } else {
                out.insert("nonResourceURLs".into(), json!(r.non_resource_urls));
            }
            Value::Object(out)
        })
        .collect();
    Some(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {
            "name": name,
            "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
            "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
            "resourceVersion": "1",
            "uid": format!("00000000-0000-4000-8000-{:012x}", name.len()),
            "creationTimestamp": "2024-01-01T00:00:00Z",
        },
        "rules": rules,
    }))
}

/// The built-in ClusterRoleBinding that makes `system:masters` cluster admins.
pub fn builtin_binding_object() -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {
            "name": "cluster-admin",
            "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
            "resourceVersion": "1",
            "uid": "00000000-0000-4000-8000-00000000000b",
            "creationTimestamp": "2024-01-01T00:00:00Z",
        },
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}],
    })
}

fn binds(binding: &Value, subject: &Subject) -> bool {
    binding
        .get("subjects")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|s| {
            let name = s.get("name").and_then(Value::as_str).unwrap_or("");
            match s.get("kind").and_then(Value::as_str) {
                Some("User") => name == subject.username,
                Some("Group") => subject.groups.iter().any(|g| g == name),
                _ => false,
            }
        })
}

fn cluster_role_rules(kube: &KubeData, name: &str) -> Vec<Rule> {
    kube.objects
        .get(&("clusterroles".into(), String::new(), name.to_string()))
        .map(rules_of)
        .or_else(|| builtin_role(name))
        .unwrap_or_default()
}

/// Does a namespace match an access scope's namespace list (a trailing `*` is a prefix)?
fn in_scope(namespaces: &[String], namespace: &str) -> bool {
    namespaces.iter().any(|n| url_matches(n, namespace))
}

/// The decision and the reason RBAC gives.
pub fn authorize(kube: &KubeData, subject: &Subject, attrs: &Attributes) -> bool {
    if subject.groups.iter().any(|g| g == "system:masters") {
        return true;
    }
    if authenticated_rules().iter().any(|r| rule_allows(r, attrs)) {
        return true;
    }
    let namespace = attrs
        .resource
        .as_ref()
        .map(|r| r.namespace.as_str())
        .unwrap_or("");
    for policy in &subject.policies {
        let applies = match &policy.namespaces {
            None => true,
            Some(list) => !namespace.is_empty() && in_scope(list, namespace),
        };
        if applies
            && access_policy_rules(&policy.arn)
                .iter()
                .any(|r| rule_allows(r, attrs))
        {
            return true;
        }
    }
    let bindings = std::iter::once(builtin_binding_object()).chain(
        kube.objects
            .iter()
            .filter(|((resource, _, _), _)| resource == "clusterrolebindings")
            .map(|(_, v)| v.clone()),
    );
    for binding in bindings {
        if binds(&binding, subject) {
            let role = binding
                .pointer("/roleRef/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            if cluster_role_rules(kube, role)
                .iter()
                .any(|r| rule_allows(r, attrs))
            {
                return true;
            }
        }
    }
    if namespace.is_empty() {
        return false;
    }
    for ((resource, ns, _), binding) in &kube.objects {
        if resource != "rolebindings" || ns != namespace || !binds(binding, subject) {
            continue;
        }
        let role = binding
            .pointer("/roleRef/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let rules = match binding.pointer("/roleRef/kind").and_then(Value::as_str) {
            Some("ClusterRole") => cluster_role_rules(kube, role),
            _ => kube
                .objects
                .get(&("roles".into(), namespace.to_string(), role.to_string()))
                .map(rules_of)
                .unwrap_or_default(),
        };
        if rules.iter().any(|r| rule_allows(r, attrs)) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests;
