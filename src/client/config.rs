//! A client's configuration from its constructor's arguments: credentials, region, endpoint,
//! retries, timeouts and hooks, each checked with an error that names the argument.

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_sdk_eks::config::retry::{RetryPartition, TokenBucket};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::http_client;
use crate::observe::Observer;

#[derive(Clone)]
pub(super) enum SdkClient {
    Eks(aws_sdk_eks::Client),
    EksAuth(aws_sdk_eksauth::Client),
}

/// The service client; its own requests may go through a plain-HTTP client (see
/// `http_client::for_endpoint`), while credential providers keep the config's HTTPS one.
///
/// Each client gets its own retry partition, hence its own retry token bucket (and adaptive
/// mode's rate limiter), as each boto3 client has: the SDK's default partition is shared by
/// every client of the service in the process, so one client's failures would stop another's
/// retries.
///
/// Its `Observer` interceptor gathers each call's metadata and adds eksy to the User-Agent.
pub(super) fn build_client(
    service: &str,
    config: &SdkConfig,
    user_agent_extra: Option<&str>,
) -> SdkClient {
    let http = http_client::for_endpoint(config.endpoint_url());
    let partition = RetryPartition::custom("eksy-client")
        .token_bucket(TokenBucket::default())
        .build();
    let observer = Observer::new(user_agent_extra);
    if service == "eks-auth" {
        let conf = aws_sdk_eksauth::config::Builder::from(config)
            .http_client(http)
            .retry_partition(partition)
            .interceptor(observer);
        SdkClient::EksAuth(aws_sdk_eksauth::Client::from_conf(conf.build()))
    } else {
        let conf = aws_sdk_eks::config::Builder::from(config)
            .http_client(http)
            .retry_partition(partition)
            .interceptor(observer);
        SdkClient::Eks(aws_sdk_eks::Client::from_conf(conf.build()))
    }
}

/// The aws-config loader of every eksy client (and of `eksy.kube` tokens): region, profile,
/// endpoint and explicit credentials as given; everything else follows the default chain.
pub(crate) fn config_loader(
    region: Option<String>,
    profile: Option<String>,
    endpoint_url: Option<String>,
    aws_access_key_id: Option<String>,
    aws_secret_access_key: Option<String>,
    aws_session_token: Option<String>,
) -> PyResult<aws_config::ConfigLoader> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(Region::new(region));
    }
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    match (aws_access_key_id, aws_secret_access_key) {
        (Some(key), Some(secret)) => {
            loader = loader.credentials_provider(Credentials::new(
                key,
                secret,
                aws_session_token,
                None,
                "eksy-explicit",
            ));
        }
        (None, None) => {}
        _ => {
            return Err(PyValueError::new_err(
                "pass both aws_access_key_id and aws_secret_access_key, or neither",
            ))
        }
    }
    Ok(loader)
}

/// boto3's defaults: a call never waits without end on an endpoint that accepts and stays silent.
pub(super) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(60);
pub(super) const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// A `ParamValidationError` for a client argument.
pub(crate) fn param_error(py: Python<'_>, path: &str, message: &str) -> PyErr {
    crate::py_errors::param_error(py, path, message)
}

pub(super) const CREDENTIAL_PAIR: &str =
    "pass both aws_access_key_id and aws_secret_access_key, or neither";

/// `max_attempts`: an int from 1 to 2**32 - 1 (anything else that is no int is a `TypeError`).
pub(super) fn attempts_arg(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<u32> {
    if value.is_instance_of::<pyo3::types::PyBool>()
        || !value.is_instance_of::<pyo3::types::PyInt>()
    {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "max_attempts must be an int, not {}",
            value.get_type().name()?
        )));
    }
    match value.extract::<i64>().ok().map(u32::try_from) {
        Some(Ok(n)) if n >= 1 => Ok(n),
        _ => Err(param_error(
            py,
            "max_attempts",
            &format!("must be from 1 to {}, not {value}", u32::MAX),
        )),
    }
}

/// `on_call`: a callable or an iterable of callables, as a tuple.
pub(super) fn hooks_arg(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyTuple>> {
    let hooks = if value.is_callable() {
        PyTuple::new(py, [value])?
    } else {
        let items = value.try_iter().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "on_call must be a callable or a list of callables",
            )
        })?;
        PyTuple::new(py, items.collect::<PyResult<Vec<_>>>()?)?
    };
    if let Some(bad) = hooks.iter().find(|h| !h.is_callable()) {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "on_call hooks must be callable, not {}",
            bad.get_type().name()?
        )));
    }
    Ok(hooks.unbind())
}

/// Refuses an `endpoint_url` the SDK could not send to (it would fail later, with a debug dump).
pub(super) fn check_endpoint(py: Python<'_>, url: &str) -> PyResult<()> {
    let scheme_ok = ["http://", "https://"].iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    });
    // The SDK's own parse of an endpoint (scheme, authority, path) before each request.
    let mut probe = aws_smithy_runtime_api::http::Request::empty();
    if scheme_ok && probe.uri_mut().set_endpoint(url).is_ok() {
        return Ok(());
    }
    Err(param_error(
        py,
        "endpoint_url",
        "must be an http:// or https:// URL with a host, such as http://127.0.0.1:9566",
    ))
}

/// `url` with the password of a `user:password@host` authority replaced by `***`, and that
/// password (to scrub from error messages).
pub(super) fn hide_password(url: &str) -> (String, Option<String>) {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    let authority = &url[start..end];
    let Some(at) = authority.rfind('@') else {
        return (url.to_owned(), None);
    };
    match authority[..at].split_once(':') {
        Some((user, password)) if !password.is_empty() => {
            let colon = start + user.len() + 1;
            let shown = format!("{}***{}", &url[..colon], &url[start + at..]);
            (shown, Some(password.to_owned()))
        }
        _ => (url.to_owned(), None),
    }
}

/// A timeout argument: `None` keeps `default`, `math.inf` means no limit (`Ok(None)`), anything
/// else must be a positive number of seconds.
pub(super) fn timeout_arg(
    py: Python<'_>,
    value: Option<f64>,
    name: &str,
    default: Option<Duration>,
) -> PyResult<Option<Duration>> {
    match value {
        None => Ok(default),
        Some(s) if s == f64::INFINITY => Ok(None),
        Some(s) if s > 0.0 => Duration::try_from_secs_f64(s).map(Some).map_err(|_| {
            param_error(
                py,
                name,
                "is too large a number of seconds (math.inf means no limit)",
            )
        }),
        Some(s) => Err(param_error(
            py,
            name,
            &format!("must be a positive number of seconds (or math.inf for no limit), not {s}"),
        )),
    }
}
