//! From a verified IAM identity to a Kubernetes user, as EKS maps it. The cluster's
//! `accessConfig.authenticationMode` picks the sources: access entries (API,
//! API_AND_CONFIG_MAP; an entry wins), the `aws-auth` ConfigMap in `kube-system`
//! (`mapRoles`, `mapUsers`, `mapAccounts`; CONFIG_MAP, API_AND_CONFIG_MAP), and in CONFIG_MAP
//! mode the cluster creator as `kubernetes-admin` in `system:masters` (in the API modes EKS
//! gives the creator an access entry with AmazonEKSClusterAdminPolicy instead). An identity
//! no source maps is authenticated but granted nothing (403 on every resource).

use super::token::TokenIdentity;
use crate::identity::same_principal;
use crate::state::ClusterState;
use serde_json::Value;
use std::collections::BTreeMap;
use yaml_rust2::{Yaml, YamlLoader};

/// An access policy association: the policy and its namespaces (None: cluster scope).
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyGrant {
    pub arn: String,
    pub namespaces: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Subject {
    pub username: String,
    pub uid: String,
    /// Includes `system:authenticated`.
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
    pub policies: Vec<PolicyGrant>,
}

fn mode(cluster: &ClusterState) -> &str {
    cluster
        .cluster
        .body
        .pointer("/accessConfig/authenticationMode")
        .and_then(Value::as_str)
        .unwrap_or("API_AND_CONFIG_MAP")
}

/// `{{SessionName}}` and friends, as the authenticator fills them.
fn fill(template: &str, who: &TokenIdentity) -> String {
    let session = who.session_name.clone().unwrap_or_default();
    template
        .replace("{{AccountID}}", &who.account)
        .replace("{{SessionNameRaw}}", &session)
        .replace("{{SessionName}}", &session.replace('@', "-"))
        .replace("{{AccessKeyID}}", &who.access_key_id)
        .replace("{{EC2PrivateDNSName}}", "ip-10-0-0-1.ec2.internal")
}

fn base(who: &TokenIdentity, username: String, mut groups: Vec<String>) -> Subject {
    groups.push("system:authenticated".into());
    let mut extra = BTreeMap::new();
    extra.insert("accessKeyId".into(), vec![who.access_key_id.clone()]);
    extra.insert("arn".into(), vec![who.arn.clone()]);
    extra.insert("canonicalArn".into(), vec![who.canonical_arn.clone()]);
    extra.insert("principalId".into(), vec![who.user_id.clone()]);
    extra.insert(
        "sessionName".into(),
        vec![who.session_name.clone().unwrap_or_default()],
    );
    Subject {
        username,
        uid: format!("aws-iam-authenticator:{}:{}", who.account, who.user_id),
        groups,
        extra,
        policies: Vec::new(),
    }
}

fn from_access_entry(cluster: &ClusterState, who: &TokenIdentity) -> Option<Subject> {
    let entry = cluster
        .access_entries
        .values()
        .find(|e| same_principal(e.entry.get_str("principalArn"), &who.canonical_arn))?;
    let body = &entry.entry.body;
    let username = fill(entry.entry.get_str("username"), who);
    let groups = body
        .get("kubernetesGroups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let mut subject = base(who, username, groups);
    subject.policies = entry
        .policies
        .values()
        .map(|p| PolicyGrant {
            arn: p
                .get("policyArn")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            namespaces: match p.pointer("/accessScope/type").and_then(Value::as_str) {
                Some("namespace") => Some(
                    p.pointer("/accessScope/namespaces")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect(),
                ),
                _ => None,
            },
        })
        .collect();
    Some(subject)
}

fn yaml_list(data: &Value, key: &str) -> Vec<Yaml> {
    let Some(text) = data.get(key).and_then(Value::as_str) else {
        return Vec::new();
    };
    match YamlLoader::load_from_str(text) {
        Ok(docs) => match docs.into_iter().next() {
            Some(Yaml::Array(items)) => items,
            _ => Vec::new(),
        },
        // A malformed aws-auth maps nobody, as on EKS.
        Err(_) => Vec::new(),
    }
}

fn yaml_strings(item: &Yaml, key: &str) -> Vec<String> {
    match &item[key] {
        Yaml::Array(values) => values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn from_aws_auth(cluster: &ClusterState, who: &TokenIdentity) -> Option<Subject> {
    let configmap = cluster.kube.objects.get(&(
        "configmaps".into(),
        "kube-system".into(),
        "aws-auth".into(),
    ))?;
    let data = configmap.get("data")?;
    let (list, arn_key) = if who.canonical_arn.contains(":role/") {
        ("mapRoles", "rolearn")
    } else {
        ("mapUsers", "userarn")
    };
    for item in yaml_list(data, list) {
        let Some(arn) = item[arn_key].as_str() else {
            continue;
        };
        if same_principal(arn, &who.canonical_arn) {
            let username = item["username"]
                .as_str()
                .map_or_else(|| who.canonical_arn.clone(), |t| fill(t, who));
            return Some(base(who, username, yaml_strings(&item, "groups")));
        }
    }
    let accounts = data
        .get("mapAccounts")
        .and_then(Value::as_str)
        .and_then(|t| YamlLoader::load_from_str(t).ok())
        .and_then(|docs| docs.into_iter().next());
    if let Some(Yaml::Array(accounts)) = accounts {
        let listed = accounts.iter().any(|a| match a {
            Yaml::String(s) => *s == who.account,
            Yaml::Integer(i) => i.to_string() == who.account,
            _ => false,
        });
        if listed {
            return Some(base(who, who.canonical_arn.clone(), Vec::new()));
        }
    }
    None
}

/// The Kubernetes user of a verified identity on this cluster. One that no source maps is still
/// authenticated, as its IAM ARN in `system:authenticated` only: discovery and `auth can-i` work,
/// everything else is forbidden (403).
pub fn map(cluster: &ClusterState, who: &TokenIdentity) -> Subject {
    mapped(cluster, who).unwrap_or_else(|| base(who, who.canonical_arn.clone(), Vec::new()))
}

fn mapped(cluster: &ClusterState, who: &TokenIdentity) -> Option<Subject> {
    let mode = mode(cluster);
    if mode != "CONFIG_MAP" {
        if let Some(subject) = from_access_entry(cluster, who) {
            return Some(subject);
        }
    }
    if mode == "API" {
        return None;
    }
    if mode == "CONFIG_MAP" && same_principal(&cluster.kube.creator_arn, &who.canonical_arn) {
        return Some(base(
            who,
            "kubernetes-admin".into(),
            vec!["system:masters".into()],
        ));
    }
    from_aws_auth(cluster, who)
}
