//! Kubernetes access to EKS clusters: the token `aws eks get-token` makes, minted as one Rust
//! future (sync: waited on with the GIL released; async: handed to asyncio), and the key under
//! which `eksy token` caches it on disk.

mod assume;
mod digest;
mod error;
mod token;

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::{ConfigLoader, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::Credentials;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::{client, http_client, runtime};
use digest::digest;
use error::TokenError;

/// How long a sync call waits between checks for Ctrl-C (as the clients do).
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(50);

/// What the caller asked for, checked before anything starts.
struct Request {
    cluster: String,
    profile: Option<String>,
    role_arn: Option<String>,
    role_session_name: Option<String>,
    external_id: Option<String>,
}

impl Request {
    fn check(&self) -> Result<(), TokenError> {
        if self.cluster.is_empty() || !self.cluster.bytes().all(|b| (0x21..0x7f).contains(&b)) {
            return Err(TokenError::Param {
                path: "cluster_name",
                message: "must be a non-empty cluster name or id of printable ASCII without spaces"
                    .into(),
            });
        }
        if self.role_arn.is_none() {
            for (path, value) in [
                ("role_session_name", &self.role_session_name),
                ("external_id", &self.external_id),
            ] {
                if value.is_some() {
                    return Err(TokenError::Param {
                        path,
                        message: "only applies with role_arn".into(),
                    });
                }
            }
        }
        Ok(())
    }

    fn session_name(&self) -> Option<&str> {
        self.role_arn.as_ref().map(|_| {
            self.role_session_name
                .as_deref()
                .unwrap_or(assume::DEFAULT_SESSION_NAME)
        })
    }
}

/// Region, STS endpoint and the caller's own credentials, from the clients' configuration chain.
struct Resolved {
    config: SdkConfig,
    region: String,
    endpoint: token::StsEndpoint,
    base: Credentials,
}

async fn resolve(loader: ConfigLoader) -> Result<Resolved, TokenError> {
    let config = loader.load().await;
    let region = config
        .region()
        .map(|r| r.to_string())
        .ok_or(TokenError::NoRegion)?;
    let endpoint = token::resolve_endpoint(&config, &region).await?;
    let provider = config.credentials_provider().ok_or_else(|| {
        TokenError::no_credentials("no credentials provider is configured".into())
    })?;
    let base = provider
        .provide_credentials()
        .await
        .map_err(|e| TokenError::no_credentials(crate::call::error_chain(&e)))?;
    Ok(Resolved {
        config,
        region,
        endpoint,
        base,
    })
}

/// The disk cache's key: every input that changes the token, the credentials only hashed.
fn cache_key(request: &Request, resolved: &Resolved) -> String {
    let base = &resolved.base;
    hex::encode(digest(&[
        Some("eksy-kube-token-v1"),
        Some(&request.cluster),
        Some(&resolved.region),
        request.profile.as_deref(),
        request.role_arn.as_deref(),
        request.session_name(),
        request.external_id.as_deref(),
        Some(&resolved.endpoint.url),
        Some(&resolved.endpoint.signing_region),
        Some(base.access_key_id()),
        Some(base.secret_access_key()),
        base.session_token(),
    ]))
}

struct Minted {
    token: String,
    expires_at: u64,
    cache_key: String,
}

async fn mint(loader: ConfigLoader, request: Request, issued: u64) -> Result<Minted, TokenError> {
    let resolved = resolve(loader).await?;
    let now = UNIX_EPOCH + Duration::from_secs(issued);
    let signing = match (&request.role_arn, request.session_name()) {
        (Some(role_arn), Some(session_name)) => {
            let role = assume::RoleRequest {
                role_arn,
                session_name,
                external_id: request.external_id.as_deref(),
            };
            assume::assumed_credentials(
                &resolved.config,
                &resolved.endpoint,
                &resolved.base,
                &role,
                now,
            )
            .await?
        }
        _ => resolved.base.clone(),
    };
    let url = token::presign(&signing, &resolved.endpoint, &request.cluster, now)?;
    Ok(Minted {
        token: token::token_of(&url),
        expires_at: issued + token::TOKEN_LIFETIME.as_secs(),
        cache_key: cache_key(&request, &resolved),
    })
}

/// Issue time in whole seconds (the resolution of `X-Amz-Date`); `now` is a test hook.
fn issue_time(now: Option<f64>) -> Result<u64, TokenError> {
    match now {
        Some(t) if t.is_finite() && t >= 0.0 => Ok(t.floor() as u64),
        Some(_) => Err(TokenError::Param {
            path: "_now",
            message: "must be a non-negative number of seconds since the epoch".into(),
        }),
        None => Ok(SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)),
    }
}

#[allow(clippy::too_many_arguments)]
fn prepare(
    cluster: String,
    region: Option<String>,
    profile: Option<String>,
    role_arn: Option<String>,
    role_session_name: Option<String>,
    external_id: Option<String>,
    endpoint_url: Option<String>,
    aws_access_key_id: Option<String>,
    aws_secret_access_key: Option<String>,
    aws_session_token: Option<String>,
) -> PyResult<(ConfigLoader, Request)> {
    let loader = client::config_loader(
        region,
        profile.clone(),
        endpoint_url,
        aws_access_key_id,
        aws_secret_access_key,
        aws_session_token,
    )?
    .http_client(http_client::shared());
    let request = Request {
        cluster,
        profile,
        role_arn,
        role_session_name,
        external_id,
    };
    Ok((loader, request))
}

/// Runs `future` to completion with the GIL released, checking for signals between slices.
fn wait<T>(
    py: Python<'_>,
    future: impl Future<Output = Result<T, TokenError>> + Send,
) -> PyResult<T>
where
    T: Send,
{
    let rt = runtime::get()?;
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(
            "a sync eksy call cannot run on an eksy runtime thread; use async_get_token",
        ));
    }
    let mut future = Box::pin(future);
    loop {
        let slice = py.detach(|| {
            rt.block_on(async { tokio::time::timeout(SIGNAL_CHECK_INTERVAL, &mut future).await })
        });
        match slice {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(err)) => return Err(err.into_pyerr(py)),
            // Dropping `future` on the way out cancels it.
            Err(_elapsed) => py.check_signals()?,
        }
    }
}

/// `(token, expires_at epoch seconds, cache key)`, converted once the GIL is held.
struct Outcome(Result<Minted, TokenError>);

impl<'py> IntoPyObject<'py> for Outcome {
    type Target = PyTuple;
    type Output = Bound<'py, PyTuple>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        match self.0 {
            Ok(m) => (m.token, m.expires_at, m.cache_key).into_pyobject(py),
            Err(err) => Err(err.into_pyerr(py)),
        }
    }
}

/// Mints a token: `(token, expires_at, cache_key)`.
#[pyfunction]
#[pyo3(signature = (
    cluster, *, region=None, profile=None, role_arn=None, role_session_name=None, external_id=None,
    endpoint_url=None, aws_access_key_id=None, aws_secret_access_key=None, aws_session_token=None,
    _now=None
))]
#[allow(clippy::too_many_arguments)]
fn _kube_token<'py>(
    py: Python<'py>,
    cluster: String,
    region: Option<String>,
    profile: Option<String>,
    role_arn: Option<String>,
    role_session_name: Option<String>,
    external_id: Option<String>,
    endpoint_url: Option<String>,
    aws_access_key_id: Option<String>,
    aws_secret_access_key: Option<String>,
    aws_session_token: Option<String>,
    _now: Option<f64>,
) -> PyResult<Bound<'py, PyTuple>> {
    let (loader, request) = prepare(
        cluster,
        region,
        profile,
        role_arn,
        role_session_name,
        external_id,
        endpoint_url,
        aws_access_key_id,
        aws_secret_access_key,
        aws_session_token,
    )?;
    let minted = wait(py, async move {
        request.check()?;
        let issued = issue_time(_now)?;
        mint(loader, request, issued).await
    })?;
    Outcome(Ok(minted)).into_pyobject(py)
}

/// The async twin of `_kube_token`: an asyncio future; cancelling it drops the operation.
#[pyfunction]
#[pyo3(signature = (
    cluster, *, region=None, profile=None, role_arn=None, role_session_name=None, external_id=None,
    endpoint_url=None, aws_access_key_id=None, aws_secret_access_key=None, aws_session_token=None,
    _now=None
))]
#[allow(clippy::too_many_arguments)]
fn _kube_token_async<'py>(
    py: Python<'py>,
    cluster: String,
    region: Option<String>,
    profile: Option<String>,
    role_arn: Option<String>,
    role_session_name: Option<String>,
    external_id: Option<String>,
    endpoint_url: Option<String>,
    aws_access_key_id: Option<String>,
    aws_secret_access_key: Option<String>,
    aws_session_token: Option<String>,
    _now: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let (loader, request) = prepare(
        cluster,
        region,
        profile,
        role_arn,
        role_session_name,
        external_id,
        endpoint_url,
        aws_access_key_id,
        aws_secret_access_key,
        aws_session_token,
    )?;
    runtime::get()?;
    pyo3_async_runtimes::generic::future_into_py::<crate::asyncio::SharedRuntime, _, _>(
        py,
        async move {
            let minted = async {
                request.check()?;
                let issued = issue_time(_now)?;
                mint(loader, request, issued).await
            };
            Ok(Outcome(minted.await))
        },
    )
}

/// The disk-cache key of the token `_kube_token` would mint now, without signing anything
/// (no AssumeRole either: the role is part of the key).
#[pyfunction]
#[pyo3(signature = (
    cluster, *, region=None, profile=None, role_arn=None, role_session_name=None, external_id=None,
    endpoint_url=None, aws_access_key_id=None, aws_secret_access_key=None, aws_session_token=None
))]
#[allow(clippy::too_many_arguments)]
fn _kube_token_cache_key(
    py: Python<'_>,
    cluster: String,
    region: Option<String>,
    profile: Option<String>,
    role_arn: Option<String>,
    role_session_name: Option<String>,
    external_id: Option<String>,
    endpoint_url: Option<String>,
    aws_access_key_id: Option<String>,
    aws_secret_access_key: Option<String>,
    aws_session_token: Option<String>,
) -> PyResult<String> {
    let (loader, request) = prepare(
        cluster,
        region,
        profile,
        role_arn,
        role_session_name,
        external_id,
        endpoint_url,
        aws_access_key_id,
        aws_secret_access_key,
        aws_session_token,
    )?;
    wait(py, async move {
        request.check()?;
        let resolved = resolve(loader).await?;
        Ok(cache_key(&request, &resolved))
    })
}

/// Forgets the assumed-role credentials kept in this process (test hook: an emulator reset
/// forgets the roles it issued).
#[pyfunction]
fn _kube_forget_assumed_roles() {
    assume::forget_all();
}

/// Adds this module's functions to `eksy._eksy`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_kube_forget_assumed_roles, m)?)?;
    m.add_function(wrap_pyfunction!(_kube_token, m)?)?;
    m.add_function(wrap_pyfunction!(_kube_token_async, m)?)?;
    m.add_function(wrap_pyfunction!(_kube_token_cache_key, m)?)?;
    Ok(())
}
