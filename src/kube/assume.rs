//! `role_arn`: STS AssumeRole, its credentials kept in this process until shortly before expiry.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use aws_config::{Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;

use super::digest::digest;
use super::error::TokenError;
use super::token::StsEndpoint;
use crate::call::CallError;
use crate::http_client;

/// The CLI's session name (`aws eks get-token --role-arn`).
pub const DEFAULT_SESSION_NAME: &str = "EKSGetTokenAuth";
/// Assumed credentials are reused while they stay valid this long: a token (trusted by EKS for
/// 15 minutes from its date) signed with them must never outlive them.
pub const REUSE_MARGIN: Duration = Duration::from_secs(15 * 60);
/// Distinct (credentials, role) pairs kept; beyond it the entry expiring first goes.
pub const MAX_CACHED_ROLES: usize = 64;

static ASSUMED: Mutex<Vec<([u8; 32], Credentials)>> = Mutex::new(Vec::new());

pub struct RoleRequest<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub external_id: Option<&'a str>,
}

fn cache_key(base: &Credentials, role: &RoleRequest<'_>, endpoint: &StsEndpoint) -> [u8; 32] {
    digest(&[
        Some("eksy-assumed-role-v1"),
        Some(base.access_key_id()),
        Some(base.secret_access_key()),
        base.session_token(),
        Some(role.role_arn),
        Some(role.session_name),
        role.external_id,
        Some(&endpoint.url),
        Some(&endpoint.signing_region),
    ])
}

fn usable(credentials: &Credentials, now: SystemTime) -> bool {
    credentials
        .expiry()
        .is_some_and(|expiry| expiry > now + REUSE_MARGIN)
}

fn lock() -> std::sync::MutexGuard<'static, Vec<([u8; 32], Credentials)>> {
    match ASSUMED.lock() {
        Ok(guard) => guard,
        // Entries are whole values; a panic elsewhere cannot leave one half-written.
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Forgets every assumed role's credentials (for emulators whose identities were reset).
pub fn forget_all() {
    lock().clear();
}

fn cached(key: &[u8; 32], now: SystemTime) -> Option<Credentials> {
    lock()
        .iter()
        .find(|(k, c)| k == key && usable(c, now))
        .map(|(_, c)| c.clone())
}

fn remember(key: [u8; 32], credentials: &Credentials, now: SystemTime) {
    let mut entries = lock();
    entries.retain(|(k, c)| *k != key && usable(c, now));
    if entries.len() >= MAX_CACHED_ROLES {
        if let Some(first) = entries
            .iter()
            .enumerate()
            .min_by_key(|(_, (_, c))| c.expiry())
            .map(|(i, _)| i)
        {
            entries.swap_remove(first);
        }
    }
    entries.push((key, credentials.clone()));
}

/// Credentials of `role`, assumed with `base` through the STS endpoint the token will name;
/// `now` is the operation's clock (the tests' frozen clock, else the system's).
pub async fn assumed_credentials(
    config: &SdkConfig,
    endpoint: &StsEndpoint,
    base: &Credentials,
    role: &RoleRequest<'_>,
    now: SystemTime,
) -> Result<Credentials, TokenError> {
    let key = cache_key(base, role, endpoint);
    if let Some(credentials) = cached(&key, now) {
        return Ok(credentials);
    }
    let conf = aws_sdk_sts::config::Builder::from(config)
        .region(Region::new(endpoint.signing_region.clone()))
        .endpoint_url(&endpoint.url)
        .credentials_provider(SharedCredentialsProvider::new(base.clone()))
        .http_client(http_client::for_endpoint(Some(&endpoint.url)))
        .build();
    let output = aws_sdk_sts::Client::from_conf(conf)
        .assume_role()
        .role_arn(role.role_arn)
        .role_session_name(role.session_name)
        .set_external_id(role.external_id.map(str::to_owned))
        .send()
        .await
        .map_err(|e| TokenError::Call(CallError::from_sdk("AssumeRole", e)))?;
    let assumed = output
        .credentials()
        .ok_or_else(|| TokenError::Config("AssumeRole answered without credentials".into()))?;
    let expiry = SystemTime::try_from(*assumed.expiration()).map_err(|_| {
        TokenError::Config("AssumeRole answered with an unreadable expiration".into())
    })?;
    let credentials = Credentials::new(
        assumed.access_key_id(),
        assumed.secret_access_key(),
        Some(assumed.session_token().to_owned()),
        Some(expiry),
        "eksy-assume-role",
    );
    if usable(&credentials, now) {
        remember(key, &credentials, now);
    }
    Ok(credentials)
}
