//! Who holds which credentials: access key id -> secret, session token, account and IAM
//! principal. STS answers from it, and the Kubernetes endpoints verify token signatures
//! with its secrets. The EKS API itself stays permissive: a key it does not know still
//! works there, as a user named after the key in the key's account.

use crate::util::random_hex;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The account of an access key id: a key id of exactly 12 digits *is* the account id (so a
/// test can act as several accounts); any other key belongs to the default account.
pub fn account_for(access_key_id: &str, default_account: &str) -> String {
    if access_key_id.len() == 12 && access_key_id.bytes().all(|b| b.is_ascii_digit()) {
        access_key_id.to_string()
    } else {
        default_account.to_string()
    }
}

/// The credentials every eksy testing client uses unless told otherwise.
pub const DEFAULT_ACCESS_KEY_ID: &str = "testing";
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "testing";

#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    pub account: String,
    /// `arn:aws:iam::ACCOUNT:user/NAME`, `...:role/NAME`, or an STS assumed-role ARN.
    pub arn: String,
    /// What GetCallerIdentity calls `UserId` (`AIDA...`, or `AROA...:session`).
    pub user_id: String,
    /// Emulator-clock epoch seconds after which the credentials are refused; None: never.
    pub expires_at: Option<f64>,
}

// Secrets stay out of debug output.
impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("access_key_id", &self.access_key_id)
            .field("arn", &self.arn)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// The JSON the controls show: everything but the secret and the session token.
    pub fn public_view(&self) -> Value {
        json!({
            "access_key_id": self.access_key_id,
            "account_id": self.account,
            "arn": self.arn,
            "user_id": self.user_id,
            "expires_at": self.expires_at,
            "has_session_token": self.session_token.is_some(),
        })
    }

    pub fn expired(&self, now: f64) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

/// The principal as aws-iam-authenticator canonicalises it: an assumed role becomes its
/// role ARN (`arn:aws:sts::A:assumed-role/R/S` -> `arn:aws:iam::A:role/R`); IAM ARNs stay.
pub fn canonical_arn(arn: &str) -> String {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("sts"), Some(_), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return arn.to_string();
    };
    match resource.split('/').collect::<Vec<_>>().as_slice() {
        ["assumed-role", role, _session, ..] => {
            format!("arn:{partition}:iam::{account}:role/{role}")
        }
        _ => arn.to_string(),
    }
}

/// The session name of an assumed-role ARN.
pub fn session_name(arn: &str) -> Option<&str> {
    let resource = arn.rsplit(':').next()?;
    let mut parts = resource.split('/');
    (parts.next() == Some("assumed-role")).then_some(())?;
    parts.nth(1)
}

/// `(account, "user" | "role", name without path)` of an IAM user or role ARN.
pub fn parse_iam_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let (kind, path) = resource.split_once('/')?;
    let name = path.rsplit('/').next().filter(|n| !n.is_empty())?;
    let valid = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (valid && matches!(kind, "user" | "role")).then_some((account, kind, name))
}

/// Two principal ARNs name the same IAM user or role (paths aside, as STS's assumed-role
/// ARNs carry none).
pub fn same_principal(a: &str, b: &str) -> bool {
    a == b || matches!((parse_iam_arn(a), parse_iam_arn(b)), (Some(x), Some(y)) if x == y)
}

fn user_id(prefix: &str) -> String {
    format!("{prefix}{}", random_hex(17).to_uppercase())
}

/// The most identities kept; each AssumeRole adds one, and expired ones are dropped first.
pub const MAX_IDENTITIES: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Identities {
    by_key: BTreeMap<String, Identity>,
}

impl Identities {
    /// The registry with the default test credentials as `arn:aws:iam::ACCOUNT:user/testing`.
    pub fn with_default(account: &str) -> Identities {
        let mut registry = Identities {
            by_key: BTreeMap::new(),
        };
        registry.insert(Identity {
            access_key_id: DEFAULT_ACCESS_KEY_ID.into(),
            secret_access_key: DEFAULT_SECRET_ACCESS_KEY.into(),
            session_token: None,
            account: account.to_string(),
            arn: format!("arn:aws:iam::{account}:user/testing"),
            user_id: user_id("AIDA"),
            expires_at: None,
        });
        registry
    }

    pub fn get(&self, access_key_id: &str) -> Option<&Identity> {
        self.by_key.get(access_key_id)
    }

    pub fn all(&self) -> impl Iterator<Item = &Identity> {
        self.by_key.values()
    }

    pub fn insert(&mut self, identity: Identity) {
        self.by_key.insert(identity.access_key_id.clone(), identity);
    }

    pub fn remove(&mut self, access_key_id: &str) -> Option<Identity> {
        self.by_key.remove(access_key_id)
    }

    /// The principal behind an access key for the permissive EKS API: the registered one,
    /// else a user named after the key in the key's account.
    pub fn principal_for(&self, access_key_id: &str, default_account: &str) -> String {
        match self.get(access_key_id) {
            Some(identity) => identity.arn.clone(),
            None => format!(
                "arn:aws:iam::{}:user/{access_key_id}",
                account_for(access_key_id, default_account)
            ),
        }
    }

    /// Registers a user or role (from the `add_identity` control): keys are generated when
    /// not given.
    pub fn add(&mut self, args: &Value) -> Result<Identity, String> {
        let text = |key: &str| args.get(key).and_then(Value::as_str);
        let arn = text("arn").ok_or("argument \"arn\" (an IAM user or role ARN) is required")?;
        let Some((account, kind, _)) = parse_iam_arn(arn) else {
            return Err(format!(
                "arn {arn:?} is not an IAM user or role ARN (arn:aws:iam::123456789012:user/NAME or :role/NAME)"
            ));
        };
        let access_key_id = text("access_key_id").map_or_else(
            || format!("AKIA{}", random_hex(16).to_uppercase()),
            str::to_string,
        );
        let secret = text("secret_access_key").map_or_else(|| random_hex(40), str::to_string);
        for (name, value) in [
            ("access_key_id", &access_key_id),
            ("secret_access_key", &secret),
        ] {
            if value.is_empty() || value.len() > 128 {
                return Err(format!("{name} must be 1 to 128 characters"));
            }
        }
        if self.by_key.len() >= MAX_IDENTITIES {
            return Err(format!("at most {MAX_IDENTITIES} identities are kept"));
        }
        let identity = Identity {
            access_key_id,
            secret_access_key: secret,
            session_token: text("session_token").map(str::to_string),
            account: account.to_string(),
            arn: arn.to_string(),
            user_id: user_id(if kind == "role" { "AROA" } else { "AIDA" }),
            expires_at: args.get("expires_at").and_then(Value::as_f64),
        };
        self.insert(identity.clone());
        Ok(identity)
    }

    /// Temporary credentials of an assumed role, valid until `expires_at`.
    pub fn assume_role(
        &mut self,
        role_arn: &str,
        session: &str,
        expires_at: f64,
        now: f64,
    ) -> Option<Identity> {
        let (account, "role", role) = parse_iam_arn(role_arn)? else {
            return None;
        };
        if self.by_key.len() >= MAX_IDENTITIES {
            self.by_key.retain(|_, i| !i.expired(now));
        }
        if self.by_key.len() >= MAX_IDENTITIES {
            return None;
        }
        let role_id = format!("AROA{}", random_hex(17).to_uppercase());
        let identity = Identity {
            access_key_id: format!("ASIA{}", random_hex(16).to_uppercase()),
            secret_access_key: random_hex(40),
            session_token: Some(format!("FwoGZXIvYXdzE{}", random_hex(120))),
            account: account.to_string(),
            arn: format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
            user_id: format!("{role_id}:{session}"),
            expires_at: Some(expires_at),
        };
        self.insert(identity.clone());
        Some(identity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assumed_roles_canonicalise_to_their_role() {
        assert_eq!(
            canonical_arn("arn:aws:sts::111122223333:assumed-role/dev/alice"),
            "arn:aws:iam::111122223333:role/dev"
        );
        assert_eq!(
            canonical_arn("arn:aws:iam::111122223333:user/bob"),
            "arn:aws:iam::111122223333:user/bob"
        );
        assert_eq!(
            session_name("arn:aws:sts::111122223333:assumed-role/dev/alice"),
            Some("alice")
        );
        assert!(same_principal(
            "arn:aws:iam::111122223333:role/path/dev",
            "arn:aws:iam::111122223333:role/dev"
        ));
        assert!(!same_principal(
            "arn:aws:iam::111122223333:role/dev",
            "arn:aws:iam::111122223333:user/dev"
        ));
    }

    #[test]
    fn registry_knows_the_default_and_added_identities() {
        let mut registry = Identities::with_default("123456789012");
        assert_eq!(
            registry.principal_for("testing", "123456789012"),
            "arn:aws:iam::123456789012:user/testing"
        );
        assert_eq!(
            registry.principal_for("111122223333", "123456789012"),
            "arn:aws:iam::111122223333:user/111122223333"
        );
        let added = registry
            .add(&json!({"arn": "arn:aws:iam::123456789012:role/admin"}))
            .unwrap();
        assert!(added.access_key_id.starts_with("AKIA"));
        assert!(registry.get(&added.access_key_id).is_some());
        assert!(format!("{added:?}")
            .find(&added.secret_access_key)
            .is_none());
        assert!(registry.add(&json!({"arn": "nope"})).is_err());
    }
}
