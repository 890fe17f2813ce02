//! One request to a cluster's Kubernetes API: authenticate (a bearer token, else 401),
//! map the identity to a user, authorize, then serve. Served: discovery (`/version`,
//! `/api`, `/apis`, group versions), namespaces, nodes (read-only, from node groups),
//! ConfigMaps, RBAC objects, the add-ons' workloads (read-only), SelfSubjectAccessReview and
//! SelfSubjectReview. Lists and gets answer in the `Table` form when asked (kubectl get).
//!
//! Over 400 lines because the routing, the stored-object verbs and the Table printers of
//! the small API are one flow; splitting them would scatter one request's path.

use super::rbac::{authorize, Attributes, ResourceAttributes, BUILTIN_ROLES};
use super::subject::{self, Subject};
use super::EndpointKey;
use super::{nodes, token, ObjectKey};
use crate::instance::Shared;
use crate::state::{ClusterState, State};
use crate::util::rfc3339;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{json, Map, Value};
use std::convert::Infallible;
use std::sync::Weak;

/// The largest request body read; the API server's own limit is 3 MiB.
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

pub struct KubeRequest {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub accept: String,
    pub content_type: String,
    pub authorization: Option<String>,
    pub body: Bytes,
}

/// An answer: status, JSON body (or plain text for health checks).
pub struct KubeResponse {
    pub status: u16,
    pub body: Value,
}

fn respond(status: u16, body: Value) -> KubeResponse {
    KubeResponse { status, body }
}

/// A Kubernetes `Status` failure.
pub fn status(code: u16, reason: &str, message: &str, details: Option<Value>) -> KubeResponse {
    let mut body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    });
    if let (Some(details), Value::Object(map)) = (details, &mut body) {
        map.insert("details".into(), details);
    }
    respond(code, body)
}

fn to_http(response: KubeResponse) -> Response<Full<Bytes>> {
    let (content_type, bytes) = match &response.body {
        Value::String(text) => ("text/plain; charset=utf-8", Bytes::from(text.clone())),
        body => (
            "application/json",
            Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
        ),
    };
    let mut http = Response::new(Full::new(bytes));
    *http.status_mut() = hyper::StatusCode::from_u16(response.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    http.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type),
    );
    http
}

/// The hyper service of one endpoint.
pub async fn handle(
    shared: Weak<Shared>,
    key: &EndpointKey,
    uid: &str,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(to_http(status(
                413,
                "RequestEntityTooLarge",
                "the request body is too large or was cut off",
                None,
            )))
        }
    };
    let Some(shared) = shared.upgrade() else {
        return Ok(to_http(status(
            503,
            "ServiceUnavailable",
            "the emulator is stopping",
            None,
        )));
    };
    let header = |name: hyper::header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let request = KubeRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: crate::wire::parse_query(parts.uri.query().unwrap_or("")),
        accept: header(hyper::header::ACCEPT).unwrap_or_default(),
        content_type: header(hyper::header::CONTENT_TYPE).unwrap_or_default(),
        authorization: header(hyper::header::AUTHORIZATION),
        body,
    };
    let authority = shared.authority.clone();
    let response = shared.with_state(|state| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            serve(state, &authority, key, uid, &request)
        }))
        .unwrap_or_else(|_| status(500, "InternalError", "eksy emulator: internal error", None))
    });
    Ok(to_http(response))
}

fn bearer(request: &KubeRequest) -> Option<&str> {
    let value = request.authorization.as_deref()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn unauthorized(reason: &str) -> KubeResponse {
    status(
        401,
        "Unauthorized",
        "Unauthorized",
        Some(json!({"causes": [{"reason": "TokenRejected", "message": reason}]})),
    )
}

/// Authenticates and serves one request with the state locked.
pub fn serve(
    state: &mut State,
    authority: &str,
    key: &EndpointKey,
    uid: &str,
    request: &KubeRequest,
) -> KubeResponse {
    let now = state.now();
    let max_age = state.kube_settings.token_max_age;
    state.region(&key.account, &key.region);
    let region_key = (key.account.clone(), key.region.clone());
    let Some(resources) = state.regions.get_mut(&region_key) else {
        return status(
            503,
            "ServiceUnavailable",
            "the cluster is not serving",
            None,
        );
    };
    let Some(cluster) = resources.clusters.get_mut(&key.cluster) else {
        return status(
            503,
            "ServiceUnavailable",
            "the cluster is not serving",
            None,
        );
    };
    if cluster.kube.uid != uid || !cluster.serves_kube_api() {
        return status(
            503,
            "ServiceUnavailable",
            "the cluster is not serving",
            None,
        );
    }
    let subject = match bearer(request) {
        None if request.authorization.is_some() => {
            return unauthorized("the Authorization header is not a bearer token")
        }
        // EKS serves a few paths (/version, health) to anonymous callers; the emulator refuses
        // every request without a token, so a test of missing credentials fails loudly.
        None => return unauthorized("the request carries no bearer token"),
        Some(bearer_token) => {
            let mut ids = vec![key.cluster.as_str()];
            if let Some(id) = cluster.cluster.body.get("id").and_then(Value::as_str) {
                ids.push(id);
            }
            let expect = token::Expectations {
                cluster_ids: &ids,
                region: &key.region,
                now,
                max_age,
                emulator_authority: authority,
            };
            let who = match token::verify(bearer_token, &expect, &state.identities) {
                Ok(who) => who,
                Err(reason) => return unauthorized(&reason),
            };
            subject::map(cluster, &who)
        }
    };
    cluster.kube.seed(now);
    let response = route(cluster, &key.region, &subject, request, now);
    if request.method != "GET" && response.status < 300 {
        state.save_pending = true;
    }
    response
}

// ---- routing ------------------------------------------------------------------------------

struct Kind {
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
    verbs: &'static [&'static str],
}

const RW: &[&str] = &["create", "delete", "get", "list", "patch", "update"];
const RO: &[&str] = &["get", "list"];
const CREATE: &[&str] = &["create"];

const KINDS: &[Kind] = &[
    Kind {
        group: "",
        version: "v1",
        plural: "namespaces",
        singular: "namespace",
        kind: "Namespace",
        namespaced: false,
        short: &["ns"],
        verbs: RW,
    },
    Kind {
        group: "",
        version: "v1",
        plural: "nodes",
        singular: "node",
        kind: "Node",
        namespaced: false,
        short: &["no"],
        verbs: RO,
    },
    Kind {
        group: "",
        version: "v1",
        plural: "configmaps",
        singular: "configmap",
        kind: "ConfigMap",
        namespaced: true,
        short: &["cm"],
        verbs: RW,
    },
    Kind {
        group: "apps",
        version: "v1",
        plural: "daemonsets",
        singular: "daemonset",
        kind: "DaemonSet",
        namespaced: true,
        short: &["ds"],
        verbs: RO,
    },
    Kind {
        group: "apps",
        version: "v1",
        plural: "deployments",
        singular: "deployment",
        kind: "Deployment",
        namespaced: true,
        short: &["deploy"],
        verbs: RO,
    },
    Kind {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        plural: "clusterroles",
        singular: "clusterrole",
        kind: "ClusterRole",
        namespaced: false,
        short: &[],
        verbs: RW,
    },
    Kind {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        plural: "clusterrolebindings",
        singular: "clusterrolebinding",
        kind: "ClusterRoleBinding",
        namespaced: false,
        short: &[],
        verbs: RW,
    },
    Kind {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        plural: "roles",
        singular: "role",
        kind: "Role",
        namespaced: true,
        short: &[],
        verbs: RW,
    },
    Kind {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        plural: "rolebindings",
        singular: "rolebinding",
        kind: "RoleBinding",
        namespaced: true,
        short: &[],
        verbs: RW,
    },
    Kind {
        group: "authorization.k8s.io",
        version: "v1",
        plural: "selfsubjectaccessreviews",
        singular: "",
        kind: "SelfSubjectAccessReview",
        namespaced: false,
        short: &[],
        verbs: CREATE,
    },
    Kind {
        group: "authentication.k8s.io",
        version: "v1",
        plural: "selfsubjectreviews",
        singular: "",
        kind: "SelfSubjectReview",
        namespaced: false,
        short: &[],
        verbs: CREATE,
    },
    Kind {
        group: "authentication.k8s.io",
        version: "v1beta1",
        plural: "selfsubjectreviews",
        singular: "",
        kind: "SelfSubjectReview",
        namespaced: false,
        short: &[],
        verbs: CREATE,
    },
];

fn kind_for(group: &str, version: &str, plural: &str) -> Option<&'static Kind> {
    KINDS
        .iter()
        .find(|k| k.group == group && k.version == version && k.plural == plural)
}

fn group_versions() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for k in KINDS.iter().filter(|k| !k.group.is_empty()) {
        if !out.contains(&(k.group, k.version)) {
            out.push((k.group, k.version));
        }
    }
    out
}

fn api_resource_list(group: &str, version: &str) -> Value {
    let resources: Vec<Value> = KINDS
        .iter()
        .filter(|k| k.group == group && k.version == version)
        .map(|k| {
            json!({
                "name": k.plural,
                "singularName": k.singular,
                "namespaced": k.namespaced,
                "kind": k.kind,
                "verbs": k.verbs,
                "shortNames": k.short,
            })
        })
        .collect();
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources})
}

fn version_info(cluster: &ClusterState) -> Value {
    let minor = cluster
        .cluster
        .get_str("version")
        .split('.')
        .nth(1)
        .unwrap_or("0")
        .to_string();
    let platform = cluster.cluster.get_str("platformVersion");
    json!({
        "major": "1",
        "minor": format!("{minor}+"),
        "gitVersion": format!("v1.{minor}.0-eks-{}", platform.trim_start_matches("eks.")),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-07-15T00:00:00Z",
        "goVersion": "go1.24.4",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

fn discovery(path: &str, cluster: &ClusterState) -> Option<Value> {
    Some(match path {
        "/version" | "/version/" => version_info(cluster),
        "/healthz" | "/livez" | "/readyz" => Value::String("ok".into()),
        "/api" | "/api/" => json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:443"}],
        }),
        "/api/v1" | "/api/v1/" => api_resource_list("", "v1"),
        "/apis" | "/apis/" => {
            let mut groups: Vec<Value> = Vec::new();
            for (group, version) in group_versions() {
                let gv = json!({"groupVersion": format!("{group}/{version}"), "version": version});
                match groups.iter_mut().find(|g| g["name"] == group) {
                    Some(existing) => {
                        if let Some(list) = existing["versions"].as_array_mut() {
                            list.push(gv);
                        }
                    }
                    None => groups.push(
                        json!({"name": group, "versions": [gv.clone()], "preferredVersion": gv}),
                    ),
                }
            }
            json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        }
        other => {
            let rest = other.strip_prefix("/apis/")?.trim_end_matches('/');
            let (group, version) = match rest.split_once('/') {
                Some((g, v)) if !v.contains('/') => (g, v),
                None => {
                    let versions: Vec<Value> = group_versions()
                        .into_iter()
                        .filter(|(g, _)| *g == rest)
                        .map(|(g, v)| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
                        .collect();
                    let preferred = versions.first()?.clone();
                    return Some(
                        json!({"kind": "APIGroup", "apiVersion": "v1", "name": rest, "versions": versions, "preferredVersion": preferred}),
                    );
                }
                _ => return None,
            };
            if !group_versions().contains(&(group, version)) {
                return None;
            }
            api_resource_list(group, version)
        }
    })
}

struct Target {
    kind: &'static Kind,
    namespace: String,
    name: String,
    subresource: String,
}

/// Parses `/api/v1/...` and `/apis/G/V/...` resource paths.
fn parse_target(path: &str) -> Result<Option<Target>, ()> {
    let (group, version, rest) = if let Some(rest) = path.strip_prefix("/api/v1/") {
        ("", "v1", rest)
    } else if let Some(rest) = path.strip_prefix("/apis/") {
        let mut parts = rest.splitn(3, '/');
        let (Some(g), Some(v), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
            return Ok(None);
        };
        (g, v, rest)
    } else {
        return Ok(None);
    };
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let (namespace, segments) = match segments.as_slice() {
        ["namespaces", ns, resource, more @ ..] => {
            (ns.to_string(), [&[*resource][..], more].concat())
        }
        other => (String::new(), other.to_vec()),
    };
    let Some(plural) = segments.first() else {
        return Ok(None);
    };
    let kind = kind_for(group, version, plural).ok_or(())?;
    // A namespaced kind is addressed in a namespace, or listed across all of them.
    let in_namespace = !namespace.is_empty();
    let addressable = if kind.namespaced {
        in_namespace || segments.len() == 1
    } else {
        !in_namespace
    };
    if !addressable {
        return Err(());
    }
    Ok(Some(Target {
        kind,
        namespace,
        name: segments.get(1).map(|s| s.to_string()).unwrap_or_default(),
        subresource: segments.get(2).map(|s| s.to_string()).unwrap_or_default(),
    }))
}

fn verb(method: &str, has_name: bool, query: &[(String, String)]) -> &'static str {
    let watch = query
        .iter()
        .any(|(k, v)| k == "watch" && (v == "true" || v == "1"));
    match (method, has_name) {
        ("GET", _) if watch => "watch",
        ("GET", true) => "get",
        ("GET", false) => "list",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => "unknown",
    }
}

fn not_found() -> KubeResponse {
    status(
        404,
        "NotFound",
        "the server could not find the requested resource",
        None,
    )
}

fn forbidden(subject: &Subject, attrs: &Attributes) -> KubeResponse {
    let user = &subject.username;
    let Some(r) = &attrs.resource else {
        return status(
            403,
            "Forbidden",
            &format!(
                "forbidden: User \"{user}\" cannot {} path \"{}\"",
                attrs.verb, attrs.path
            ),
            Some(json!({})),
        );
    };
    let resource = if r.subresource.is_empty() {
        r.resource.clone()
    } else {
        format!("{}/{}", r.resource, r.subresource)
    };
    let what = if r.name.is_empty() {
        format!("{resource} is forbidden")
    } else {
        format!("{resource} \"{}\" is forbidden", r.name)
    };
    let scope = if r.namespace.is_empty() {
        "at the cluster scope".to_string()
    } else {
        format!("in the namespace \"{}\"", r.namespace)
    };
    status(
        403,
        "Forbidden",
        &format!(
            "{what}: User \"{user}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
            attrs.verb, r.group
        ),
        Some(json!({"name": r.name, "group": r.group, "kind": r.resource})),
    )
}

fn route(
    cluster: &mut ClusterState,
    region: &str,
    subject: &Subject,
    request: &KubeRequest,
    now: f64,
) -> KubeResponse {
    let path = request.path.as_str();
    let target = match parse_target(path) {
        Ok(target) => target,
        Err(()) => {
            let attrs = Attributes {
                verb: verb(&request.method, false, &request.query).into(),
                resource: None,
                path: path.into(),
            };
            if !authorize(&cluster.kube, subject, &attrs) {
                return forbidden(subject, &attrs);
            }
            return not_found();
        }
    };
    let Some(target) = target else {
        let attrs = Attributes {
            verb: match request.method.as_str() {
                "GET" | "HEAD" => "get",
                "POST" => "post",
                "PUT" => "put",
                "DELETE" => "delete",
                _ => "patch",
            }
            .into(),
            resource: None,
            path: path.into(),
        };
        if !authorize(&cluster.kube, subject, &attrs) {
            return forbidden(subject, &attrs);
        }
        return match discovery(path, cluster) {
            Some(body) => respond(200, body),
            None => not_found(),
        };
    };
    let verb = verb(&request.method, !target.name.is_empty(), &request.query);
    let attrs = Attributes {
        verb: verb.into(),
        resource: Some(ResourceAttributes {
            group: target.kind.group.into(),
            resource: target.kind.plural.into(),
            subresource: target.subresource.clone(),
            namespace: target.namespace.clone(),
            name: target.name.clone(),
        }),
        path: path.into(),
    };
    if !authorize(&cluster.kube, subject, &attrs) {
        return forbidden(subject, &attrs);
    }
    if !target.kind.verbs.contains(&verb) || !target.subresource.is_empty() {
        return status(
            405,
            "MethodNotAllowed",
            &format!(
                "the server does not allow this method on the requested resource ({verb} {})",
                target.kind.plural
            ),
            None,
        );
    }
    let body = if request
        .content_type
        .starts_with("application/vnd.kubernetes.protobuf")
    {
        match super::protobuf::decode(&request.body) {
            Ok(body) => Ok(body),
            Err(e) => return status(415, "UnsupportedMediaType", &e, None),
        }
    } else {
        serde_json::from_slice::<Value>(&request.body)
    };
    let body = match body {
        Ok(body) => Some(body),
        Err(_) if request.body.is_empty() => None,
        Err(e) => {
            return status(
                400,
                "BadRequest",
                &format!("the request body is not JSON: {e}"),
                None,
            )
        }
    };
    let response = match target.kind.plural {
        "selfsubjectaccessreviews" => access_review(cluster, subject, body.as_ref()),
        "selfsubjectreviews" => respond(
            201,
            json!({
                "apiVersion": format!("authentication.k8s.io/{}", target.kind.version),
                "kind": "SelfSubjectReview",
                "metadata": {"creationTimestamp": Value::Null},
                "status": {"userInfo": {"username": subject.username, "uid": subject.uid, "groups": subject.groups, "extra": subject.extra}},
            }),
        ),
        "nodes" => read_only(nodes::nodes(cluster, region), &target, verb),
        "daemonsets" | "deployments" => {
            read_only(workloads(cluster, target.kind.plural), &target, verb)
        }
        _ => stored(cluster, &target, verb, body, request, now),
    };
    if response.status < 300 && wants_table(&request.accept) && matches!(verb, "get" | "list") {
        return respond(
            response.status,
            table(target.kind.plural, &response.body, now),
        );
    }
    response
}

fn read_only(items: Vec<Value>, target: &Target, verb: &str) -> KubeResponse {
    let items: Vec<Value> = items
        .into_iter()
        .filter(|i| {
            target.namespace.is_empty()
                || i.pointer("/metadata/namespace").and_then(Value::as_str)
                    == Some(&target.namespace)
        })
        .collect();
    if verb == "get" {
        return match items
            .into_iter()
            .find(|i| i.pointer("/metadata/name").and_then(Value::as_str) == Some(&target.name))
        {
            Some(item) => respond(200, item),
            None => missing(target),
        };
    }
    respond(200, list_of(target.kind, items))
}

fn missing(target: &Target) -> KubeResponse {
    let resource = if target.kind.group.is_empty() {
        target.kind.plural.to_string()
    } else {
        format!("{}.{}", target.kind.plural, target.kind.group)
    };
    status(
        404,
        "NotFound",
        &format!("{resource} \"{}\" not found", target.name),
        Some(json!({"name": target.name, "group": target.kind.group, "kind": target.kind.plural})),
    )
}

fn list_of(kind: &Kind, items: Vec<Value>) -> Value {
    let api_version = if kind.group.is_empty() {
        kind.version.to_string()
    } else {
        format!("{}/{}", kind.group, kind.version)
    };
    json!({
        "kind": format!("{}List", kind.kind),
        "apiVersion": api_version,
        "metadata": {"resourceVersion": "1"},
        "items": items,
    })
}

fn access_review(cluster: &ClusterState, subject: &Subject, body: Option<&Value>) -> KubeResponse {
    let Some(spec) = body.and_then(|b| b.get("spec")) else {
        return status(
            400,
            "BadRequest",
            "a SelfSubjectAccessReview needs a spec",
            None,
        );
    };
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let attrs = if let Some(r) = spec.get("resourceAttributes") {
        Attributes {
            verb: text(r, "verb"),
            resource: Some(ResourceAttributes {
                group: text(r, "group"),
                resource: text(r, "resource"),
                subresource: text(r, "subresource"),
                namespace: text(r, "namespace"),
                name: text(r, "name"),
            }),
            path: String::new(),
        }
    } else if let Some(n) = spec.get("nonResourceAttributes") {
        Attributes {
            verb: text(n, "verb"),
            resource: None,
            path: text(n, "path"),
        }
    } else {
        return status(
            422,
            "Invalid",
            "a SelfSubjectAccessReview needs resourceAttributes or nonResourceAttributes",
            None,
        );
    };
    let allowed = authorize(&cluster.kube, subject, &attrs);
    let mut out = body.cloned().unwrap_or_else(|| json!({}));
    if let Value::Object(map) = &mut out {
        map.insert("apiVersion".into(), json!("authorization.k8s.io/v1"));
        map.insert("kind".into(), json!("SelfSubjectAccessReview"));
        map.insert("metadata".into(), json!({"creationTimestamp": Value::Null}));
        let mut result = json!({"allowed": allowed});
        if allowed {
            result["reason"] =
                json!("allowed by the cluster's access entries, aws-auth mappings or RBAC");
        }
        map.insert("status".into(), result);
    }
    respond(201, out)
}

// ---- stored objects -------------------------------------------------------------------------

fn builtin(plural: &str, name: &str) -> Option<Value> {
    match plural {
        "clusterroles" => super::rbac::builtin_role_object(name),
        "clusterrolebindings" if name == "cluster-admin" => {
            Some(super::rbac::builtin_binding_object())
        }
        _ => None,
    }
}

fn builtins(plural: &str) -> Vec<Value> {
    match plural {
        "clusterroles" => BUILTIN_ROLES
            .iter()
            .filter_map(|n| super::rbac::builtin_role_object(n))
            .collect(),
        "clusterrolebindings" => vec![super::rbac::builtin_binding_object()],
        _ => Vec::new(),
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.' || b == b':'
        })
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// The most objects a cluster's API stores (a bound on what tests can make it hold).
pub const MAX_OBJECTS: usize = 10_000;

fn stored(
    cluster: &mut ClusterState,
    target: &Target,
    verb: &str,
    body: Option<Value>,
    request: &KubeRequest,
    now: f64,
) -> KubeResponse {
    let plural = target.kind.plural;
    let kube = &mut cluster.kube;
    if target.kind.namespaced && !target.namespace.is_empty() {
        let ns_key: ObjectKey = ("namespaces".into(), String::new(), target.namespace.clone());
        if !kube.objects.contains_key(&ns_key) && verb != "list" {
            return status(
                404,
                "NotFound",
                &format!("namespaces \"{}\" not found", target.namespace),
                Some(json!({"name": target.namespace, "kind": "namespaces"})),
            );
        }
    }
    let key: ObjectKey = (plural.into(), target.namespace.clone(), target.name.clone());
    match verb {
        "list" => {
            let mut items: Vec<Value> = if target.namespace.is_empty() {
                builtins(plural)
            } else {
                Vec::new()
            };
            items.extend(
                kube.objects
                    .iter()
                    .filter(|((r, ns, _), _)| {
                        r == plural && (target.namespace.is_empty() || *ns == target.namespace)
                    })
                    .map(|(_, v)| v.clone()),
            );
            respond(200, list_of(target.kind, items))
        }
        "get" => match kube
            .objects
            .get(&key)
            .cloned()
            .or_else(|| builtin(plural, &target.name))
        {
            Some(object) => respond(200, object),
            None => missing(target),
        },
        "create" => {
            let Some(Value::Object(mut object)) = body else {
                return status(
                    400,
                    "BadRequest",
                    &format!("a {} must be a JSON object", target.kind.kind),
                    None,
                );
            };
            let meta = object.entry("metadata").or_insert_with(|| json!({}));
            let mut name = meta
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if name.is_empty() {
                if let Some(prefix) = meta.get("generateName").and_then(Value::as_str) {
                    name = format!("{prefix}{}", &crate::util::random_hex(5));
                }
            }
            if !valid_name(&name) {
                return status(422, "Invalid", &format!("{} \"{name}\" is invalid: metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'", target.kind.kind), None);
            }
            if let Some(meta) = meta.as_object_mut() {
                meta.insert("name".into(), json!(name));
                if target.kind.namespaced {
                    meta.insert("namespace".into(), json!(target.namespace));
                }
            }
            let key: ObjectKey = (plural.into(), target.namespace.clone(), name.clone());
            if kube.objects.contains_key(&key) || builtin(plural, &name).is_some() {
                return status(
                    409,
                    "AlreadyExists",
                    &format!("{} \"{name}\" already exists", plural),
                    Some(json!({"name": name, "kind": plural})),
                );
            }
            if kube.objects.len() >= MAX_OBJECTS {
                return status(
                    403,
                    "Forbidden",
                    &format!("eksy emulator: a cluster holds at most {MAX_OBJECTS} objects"),
                    None,
                );
            }
            complete(&mut object, target.kind);
            if plural == "namespaces" {
                object.insert("spec".into(), json!({"finalizers": ["kubernetes"]}));
                object.insert("status".into(), json!({"phase": "Active"}));
                if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
                    let labels = meta.entry("labels").or_insert_with(|| json!({}));
                    if let Some(labels) = labels.as_object_mut() {
                        labels.insert("kubernetes.io/metadata.name".into(), json!(name));
                    }
                }
            }
            let object = kube.stamp(Value::Object(object), now);
            kube.objects.insert(key, object.clone());
            respond(201, object)
        }
        "update" | "patch" => {
            if builtin(plural, &target.name).is_some() {
                return status(
                    403,
                    "Forbidden",
                    &format!(
                        "eksy emulator: the built-in {} \"{}\" is read-only",
                        plural, target.name
                    ),
                    None,
                );
            }
            let Some(current) = kube.objects.get(&key).cloned() else {
                return missing(target);
            };
            let Some(change) = body else {
                return status(400, "BadRequest", "the request needs a body", None);
            };
            let mut next = if verb == "update" {
                let given = change
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str);
                let have = current
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str);
                if given.is_some() && given != have {
                    return status(409, "Conflict", &format!("Operation cannot be fulfilled on {plural} \"{}\": the object has been modified; please apply your changes to the latest version and try again", target.name), None);
                }
                change
            } else if request
                .content_type
                .starts_with("application/json-patch+json")
            {
                match json_patch(&current, &change) {
                    Ok(patched) => patched,
                    Err(e) => return status(422, "Invalid", &e, None),
                }
            } else if request
                .content_type
                .starts_with("application/merge-patch+json")
                || request
                    .content_type
                    .starts_with("application/strategic-merge-patch+json")
            {
                merge_patch(&current, &change)
            } else {
                return status(
                    415,
                    "UnsupportedMediaType",
                    &format!(
                        "the patch type {:?} is not supported by the eksy emulator",
                        request.content_type
                    ),
                    None,
                );
            };
            if let (Some(meta), Some(old)) = (
                next.get_mut("metadata").and_then(Value::as_object_mut),
                current.get("metadata").and_then(Value::as_object),
            ) {
                for keep in ["name", "namespace", "uid", "creationTimestamp"] {
                    if let Some(v) = old.get(keep) {
                        meta.insert(keep.into(), v.clone());
                    }
                }
                meta.insert("resourceVersion".into(), json!(kube.next_version()));
            }
            if let Value::Object(map) = &mut next {
                complete(map, target.kind);
            }
            kube.objects.insert(key, next.clone());
            respond(200, next)
        }
        "delete" => {
            if builtin(plural, &target.name).is_some()
                || (plural == "namespaces"
                    && ["default", "kube-system", "kube-public"].contains(&target.name.as_str()))
            {
                return status(
                    403,
                    "Forbidden",
                    &format!(
                        "{plural} \"{}\" is forbidden: this object may not be deleted",
                        target.name
                    ),
                    None,
                );
            }
            let Some(mut removed) = kube.objects.remove(&key) else {
                return missing(target);
            };
            if plural == "namespaces" {
                kube.objects.retain(|(_, ns, _), _| *ns != target.name);
                if let Some(status) = removed.get_mut("status") {
                    *status = json!({"phase": "Terminating"});
                }
            }
            respond(200, removed)
        }
        _ => status(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
            None,
        ),
    }
}

fn complete(object: &mut Map<String, Value>, kind: &Kind) {
    let api_version = if kind.group.is_empty() {
        kind.version.to_string()
    } else {
        format!("{}/{}", kind.group, kind.version)
    };
    object.insert("apiVersion".into(), json!(api_version));
    object.insert("kind".into(), json!(kind.kind));
}

/// RFC 7386 JSON merge patch (also used for strategic merge patches of the maps here).
pub fn merge_patch(target: &Value, patch: &Value) -> Value {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            let mut out = t.clone();
            for (k, v) in p {
                if v.is_null() {
                    out.remove(k);
                } else {
                    let merged = merge_patch(t.get(k).unwrap_or(&Value::Null), v);
                    out.insert(k.clone(), merged);
                }
            }
            Value::Object(out)
        }
        (_, p) => p.clone(),
    }
}

/// RFC 6902 JSON patch: add, replace, remove and test.
fn json_patch(target: &Value, ops: &Value) -> Result<Value, String> {
    let mut doc = target.clone();
    for op in ops
        .as_array()
        .ok_or("a JSON patch is a list of operations")?
    {
        let path = op
            .get("path")
            .and_then(Value::as_str)
            .ok_or("a JSON patch operation needs a path")?;
        let (parent_path, last) = path
            .rsplit_once('/')
            .ok_or("a JSON patch path starts with /")?;
        let last = last.replace("~1", "/").replace("~0", "~");
        let value = op.get("value").cloned();
        match op.get("op").and_then(Value::as_str) {
            Some("test") => {
                if doc.pointer(path) != value.as_ref() {
                    return Err(format!("test failed at {path}"));
                }
            }
            Some(kind @ ("add" | "replace" | "remove")) => {
                let parent = doc
                    .pointer_mut(parent_path)
                    .ok_or_else(|| format!("no such path {parent_path}"))?;
                match parent {
                    Value::Object(map) => {
                        if kind == "remove" {
                            map.remove(&last)
                                .ok_or_else(|| format!("no such path {path}"))?;
                        } else {
                            map.insert(last, value.ok_or("add and replace need a value")?);
                        }
                    }
                    Value::Array(list) => {
                        let index = if last == "-" {
                            list.len()
                        } else {
                            last.parse::<usize>()
                                .map_err(|_| format!("bad index in {path}"))?
                        };
                        match kind {
                            "remove" if index < list.len() => {
                                list.remove(index);
                            }
                            "replace" if index < list.len() => {
                                list[index] = value.ok_or("replace needs a value")?
                            }
                            "add" if index <= list.len() => {
                                list.insert(index, value.ok_or("add needs a value")?)
                            }
                            _ => return Err(format!("index out of range in {path}")),
                        }
                    }
                    _ => return Err(format!("{parent_path} is not an object or a list")),
                }
            }
            other => return Err(format!("unsupported JSON patch operation {other:?}")),
        }
    }
    Ok(doc)
}

// ---- the add-ons' workloads ---------------------------------------------------------------------

fn workloads(cluster: &ClusterState, plural: &str) -> Vec<Value> {
    let node_count = nodes::nodes(cluster, "").len();
    cluster
        .children.addons
        .values()
        .filter(|a| matches!(a.status(), "ACTIVE" | "UPDATING" | "DEGRADED"))
        .filter_map(|addon| {
            let (kind, name) = match (addon.get_str("addonName"), plural) {
                ("vpc-cni", "daemonsets") => ("DaemonSet", "aws-node"),
                ("kube-proxy", "daemonsets") => ("DaemonSet", "kube-proxy"),
                ("eks-pod-identity-agent", "daemonsets") => ("DaemonSet", "eks-pod-identity-agent"),
                ("coredns", "deployments") => ("Deployment", "coredns"),
                _ => return None,
            };
            let created = rfc3339(addon.body.get("createdAt").and_then(Value::as_f64).unwrap_or(0.0));
            let image = format!("602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/{name}:{}", addon.get_str("addonVersion"));
            let spec_template = json!({"metadata": {"labels": {"k8s-app": name}}, "spec": {"containers": [{"name": name, "image": image}]}});
            let (spec, status) = if kind == "DaemonSet" {
                let n = node_count;
                (
                    json!({"selector": {"matchLabels": {"k8s-app": name}}, "template": spec_template}),
                    json!({"currentNumberScheduled": n, "desiredNumberScheduled": n, "numberAvailable": n, "numberReady": n, "updatedNumberScheduled": n, "numberMisscheduled": 0, "observedGeneration": 1}),
                )
            } else {
                (
                    json!({"replicas": 2, "selector": {"matchLabels": {"k8s-app": name}}, "template": spec_template}),
                    json!({"replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 2, "observedGeneration": 1}),
                )
            };
            Some(json!({
                "apiVersion": "apps/v1",
                "kind": kind,
                "metadata": {"name": name, "namespace": "kube-system", "uid": format!("{:0>8}-0000-4000-8000-000000000000", name.len()), "resourceVersion": "1", "creationTimestamp": created, "labels": {"k8s-app": name, "eks.amazonaws.com/component": name}},
                "spec": spec,
                "status": status,
            }))
        })
        .collect()
}

// ---- tables (kubectl get) -----------------------------------------------------------------------

fn wants_table(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=Table"))
}

/// `5m`, `3h`, `2d` as kubectl prints ages.
fn age(created: &str, now: f64) -> String {
    let Some(at) = parse_rfc3339(created) else {
        return "<unknown>".into();
    };
    let seconds = (now - at).max(0.0) as u64;
    match seconds {
        s if s < 120 => format!("{s}s"),
        s if s < 3600 * 2 => format!("{}m", s / 60),
        s if s < 86_400 * 2 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

fn parse_rfc3339(text: &str) -> Option<f64> {
    let compact: String = text.chars().filter(|c| *c != '-' && *c != ':').collect();
    crate::util::parse_amz_date(&compact)
}

fn table(plural: &str, body: &Value, now: f64) -> Value {
    let items: Vec<Value> = match body.get("items").and_then(Value::as_array) {
        Some(items) => items.clone(),
        None => vec![body.clone()],
    };
    let column = |name: &str, kind: &str, priority: u8| json!({"name": name, "type": kind, "format": if name == "Name" {"name"} else {""}, "description": name, "priority": priority});
    let columns = match plural {
        "nodes" => vec![
            column("Name", "string", 0),
            column("Status", "string", 0),
            column("Roles", "string", 0),
            column("Age", "string", 0),
            column("Version", "string", 0),
            column("Internal-IP", "string", 1),
            column("OS-Image", "string", 1),
            column("Container-Runtime", "string", 1),
        ],
        "namespaces" => vec![
            column("Name", "string", 0),
            column("Status", "string", 0),
            column("Age", "string", 0),
        ],
        "configmaps" => vec![
            column("Name", "string", 0),
            column("Data", "integer", 0),
            column("Age", "string", 0),
        ],
        "daemonsets" => vec![
            column("Name", "string", 0),
            column("Desired", "integer", 0),
            column("Current", "integer", 0),
            column("Ready", "integer", 0),
            column("Age", "string", 0),
        ],
        "deployments" => vec![
            column("Name", "string", 0),
            column("Ready", "string", 0),
            column("Up-to-date", "integer", 0),
            column("Available", "integer", 0),
            column("Age", "string", 0),
        ],
        _ => vec![column("Name", "string", 0), column("Age", "string", 0)],
    };
    let rows: Vec<Value> = items
        .iter()
        .map(|item| {
            let s = |p: &str| item.pointer(p).cloned().unwrap_or(Value::Null);
            let name = s("/metadata/name");
            let created = item.pointer("/metadata/creationTimestamp").and_then(Value::as_str).unwrap_or("");
            let age = json!(age(created, now));
            let cells = match plural {
                "nodes" => {
                    let ready = item.pointer("/status/conditions").and_then(Value::as_array).into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True");
                    vec![name, json!(if ready { "Ready" } else { "NotReady" }), json!("<none>"), age, s("/status/nodeInfo/kubeletVersion"), s("/status/addresses/0/address"), s("/status/nodeInfo/osImage"), s("/status/nodeInfo/containerRuntimeVersion")]
                }
                "namespaces" => vec![name, s("/status/phase"), age],
                "configmaps" => vec![name, json!(item.get("data").and_then(Value::as_object).map_or(0, Map::len) + item.get("binaryData").and_then(Value::as_object).map_or(0, Map::len)), age],
                "daemonsets" => vec![name, s("/status/desiredNumberScheduled"), s("/status/currentNumberScheduled"), s("/status/numberReady"), age],
                "deployments" => vec![name, json!(format!("{}/{}", s("/status/readyReplicas"), s("/spec/replicas"))), s("/status/updatedReplicas"), s("/status/availableReplicas"), age],
                _ => vec![name, age],
            };
            json!({
                "cells": cells,
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": item.get("metadata").cloned().unwrap_or_else(|| json!({}))},
            })
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": "1"},
        "columnDefinitions": columns,
        "rows": rows,
    })
}
