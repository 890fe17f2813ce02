//! `ClientCore`: one configured SDK client behind both the sync and the async Python clients.

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_sdk_eks::config::retry::{RetryPartition, TokenBucket};
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::call::{CallError, CallKind, OpFuture};
use crate::generated;
use crate::http_client;
use crate::observe::{self, Hooks, Observer, ResponseMetadata};
use crate::runtime;

thread_local! {
    /// Set by a waiter just before its poll: when the poll must be cut.
    static NEXT_CALL_DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// How long a sync call waits between checks for Ctrl-C.
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(50);

#[derive(Clone)]
enum SdkClient {
    Eks(aws_sdk_eks::Client),
    EksAuth(aws_sdk_eksauth::Client),
}

struct Generation {
    runtime_generation: u64,
    client: SdkClient,
}

#[pyclass(module = "eksy._eksy", frozen)]
pub struct ClientCore {
    service: String,
    /// On-call hooks and the logger; see `observe`.
    hooks: Hooks,
    user_agent_extra: Option<String>,
    config: SdkConfig,
    current: RwLock<Generation>,
    /// Set by the `_force_panic` test hook: the next call panics at that stage.
    forced_panic: AtomicU8,
    /// Bytes the endpoint adds to each request's URL, which the URL limit counts.
    endpoint_bytes: usize,
    /// Connect, read and operation timeouts in effect (`None`: no limit).
    timeouts: [Option<Duration>; 3],
    /// The endpoint as shown (repr, `endpoint_url`), and a password in it, kept out of errors.
    endpoint_shown: Option<String>,
    endpoint_password: Option<String>,
}

/// Room kept in a request's URL for an AWS endpoint (`https://eks-fips.<region>.amazonaws.com`
/// and the like are shorter).
const AWS_ENDPOINT_BYTES: usize = 100;

const NO_PANIC: u8 = 0;
const PANIC_IN_PREPARE: u8 = 1;
const PANIC_IN_POLL: u8 = 2;

/// The service client; its own requests may go through a plain-HTTP client (see
/// `http_client::for_endpoint`), while credential providers keep the config's HTTPS one.
///
/// Each client gets its own retry partition, hence its own retry token bucket (and adaptive
/// mode's rate limiter), as each boto3 client has: the SDK's default partition is shared by
/// every client of the service in the process, so one client's failures would stop another's
/// retries.
///
/// Its `Observer` interceptor gathers each call's metadata and adds eksy to the User-Agent.
fn build_client(service: &str, config: &SdkConfig, user_agent_extra: Option<&str>) -> SdkClient {
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
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// A `ParamValidationError` for a client argument.
pub(crate) fn param_error(py: Python<'_>, path: &str, message: &str) -> PyErr {
    match crate::call::errors_module(py)
        .and_then(|module| module.call_method1("_param_error", (path, message)))
    {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

const CREDENTIAL_PAIR: &str = "pass both aws_access_key_id and aws_secret_access_key, or neither";

/// `max_attempts`: an int from 1 to 2**32 - 1 (anything else that is no int is a `TypeError`).
fn attempts_arg(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<u32> {
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
fn hooks_arg(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyTuple>> {
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
fn check_endpoint(py: Python<'_>, url: &str) -> PyResult<()> {
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
fn hide_password(url: &str) -> (String, Option<String>) {
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
fn timeout_arg(
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

#[pymethods]
impl ClientCore {
    #[new]
    #[pyo3(signature = (
        service, *, region=None, profile=None, endpoint_url=None, aws_access_key_id=None,
        aws_secret_access_key=None, aws_session_token=None, max_attempts=None, retry_mode=None,
        connect_timeout=None, read_timeout=None, operation_timeout=None, on_call=None,
        user_agent_extra=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        service: String,
        region: Option<String>,
        profile: Option<String>,
        endpoint_url: Option<String>,
        aws_access_key_id: Option<String>,
        aws_secret_access_key: Option<String>,
        aws_session_token: Option<String>,
        max_attempts: Option<Bound<'_, PyAny>>,
        retry_mode: Option<String>,
        connect_timeout: Option<f64>,
        read_timeout: Option<f64>,
        operation_timeout: Option<f64>,
        on_call: Option<Bound<'_, PyAny>>,
        user_agent_extra: Option<String>,
    ) -> PyResult<Self> {
        let service_name: &'static str = match service.as_str() {
            "eks" => "eks",
            "eks-auth" => "eks-auth",
            _ => {
                return Err(PyValueError::new_err(format!(
                    "unknown service {service:?}"
                )))
            }
        };
        if let Some(extra) = &user_agent_extra {
            if !extra.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                return Err(param_error(
                    py,
                    "user_agent_extra",
                    "must hold printable ASCII only (it is sent in the User-Agent header)",
                ));
            }
        }
        let hooks = Hooks::new(
            service_name,
            on_call.map(|h| hooks_arg(py, &h)).transpose()?,
        );
        match (&aws_access_key_id, &aws_secret_access_key) {
            (Some(_), None) => {
                return Err(param_error(py, "aws_secret_access_key", CREDENTIAL_PAIR));
            }
            (None, Some(_)) => return Err(param_error(py, "aws_access_key_id", CREDENTIAL_PAIR)),
            _ => {}
        }
        if let Some(url) = &endpoint_url {
            check_endpoint(py, url)?;
        }
        let mut loader = config_loader(
            region,
            profile,
            endpoint_url,
            aws_access_key_id,
            aws_secret_access_key,
            aws_session_token,
        )?;
        let retry = match retry_mode.as_deref() {
            None | Some("standard") => RetryConfig::standard(),
            Some("adaptive") => RetryConfig::adaptive(),
            Some(other) => {
                return Err(param_error(
                    py,
                    "retry_mode",
                    &format!("must be 'standard' or 'adaptive', not {other:?}"),
                ))
            }
        };
        let retry = match max_attempts {
            Some(value) => retry.with_max_attempts(attempts_arg(py, &value)?),
            None => retry,
        };
        loader = loader.retry_config(retry);
        let connect = timeout_arg(
            py,
            connect_timeout,
            "connect_timeout",
            Some(DEFAULT_CONNECT_TIMEOUT),
        )?;
        let read = timeout_arg(py, read_timeout, "read_timeout", Some(DEFAULT_READ_TIMEOUT))?;
        let operation = timeout_arg(py, operation_timeout, "operation_timeout", None)?;
        let mut timeouts = TimeoutConfig::builder();
        timeouts = match connect {
            Some(t) => timeouts.connect_timeout(t),
            None => timeouts.disable_connect_timeout(),
        };
        timeouts = match read {
            Some(t) => timeouts.read_timeout(t),
            None => timeouts.disable_read_timeout(),
        };
        timeouts = match operation {
            Some(t) => timeouts.operation_timeout(t),
            None => timeouts.disable_operation_timeout(),
        };
        loader = loader
            .timeout_config(timeouts.build())
            .http_client(http_client::shared());
        let rt = runtime::get()?;
        let config = py.detach(|| rt.block_on(loader.load()));
        if config.region().is_none() {
            let errors = crate::call::errors_module(py)?;
            return Err(PyErr::from_value(errors.call_method0("_no_region_error")?));
        }
        let client = build_client(&service, &config, user_agent_extra.as_deref());
        let (shown, password) = match config.endpoint_url().map(hide_password) {
            Some((shown, password)) => (Some(shown), password),
            None => (None, None),
        };
        Ok(ClientCore {
            service,
            hooks,
            user_agent_extra,
            current: RwLock::new(Generation {
                runtime_generation: runtime::generation(),
                client,
            }),
            forced_panic: AtomicU8::new(NO_PANIC),
            timeouts: [connect, read, operation],
            endpoint_bytes: config
                .endpoint_url()
                .map_or(AWS_ENDPOINT_BYTES, |url| url.trim_end_matches('/').len()),
            endpoint_shown: shown,
            endpoint_password: password,
            config,
        })
    }

    #[getter]
    fn region(&self) -> Option<String> {
        self.config.region().map(|r| r.to_string())
    }

    /// The custom endpoint, with any password in it hidden.
    #[getter]
    fn endpoint_url(&self) -> Option<String> {
        self.endpoint_shown.clone()
    }

    #[getter]
    fn service(&self) -> &str {
        &self.service
    }

    /// (connect, read, operation) timeouts in seconds; `None` where there is no limit.
    #[getter]
    fn timeouts(&self) -> (Option<f64>, Option<f64>, Option<f64>) {
        let [connect, read, operation] = self.timeouts.map(|t| t.map(|d| d.as_secs_f64()));
        (connect, read, operation)
    }

    /// Test hook: makes the next call on this client panic while preparing (`"prepare"`) or
    /// while its request is polled (`"poll"`), to check that no panic reaches Python.
    fn _force_panic(&self, stage: &str) -> PyResult<()> {
        let value = match stage {
            "prepare" => PANIC_IN_PREPARE,
            "poll" => PANIC_IN_POLL,
            _ => return Err(PyValueError::new_err("stage must be 'prepare' or 'poll'")),
        };
        self.forced_panic.store(value, Ordering::Relaxed);
        Ok(())
    }

    /// Cuts the next sync call made by this thread after `seconds` (a waiter's time left), with
    /// a `RequestTimeoutError`; `None` forgets a deadline that no call took.
    #[staticmethod]
    fn _deadline_next_call(seconds: Option<f64>) {
        let deadline = seconds
            .and_then(|s| Duration::try_from_secs_f64(s.max(0.0)).ok())
            .and_then(|d| Instant::now().checked_add(d));
        NEXT_CALL_DEADLINE.with(|cell| cell.set(deadline));
    }

    /// Runs operation `op` to completion with the GIL released, checking for signals between slices.
    fn call(&self, py: Python<'_>, op: u16, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let deadline = NEXT_CALL_DEADLINE.with(Cell::take);
        let mut request = self.start(op, args)?;
        let rt = runtime::get()?;
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "a sync eksy call cannot run on an eksy runtime thread; use the async client",
            ));
        }
        let operation = request.operation();
        let observation = self.begin_observation(py, op, args)?;
        let result = loop {
            let mut wait = SIGNAL_CHECK_INTERVAL;
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    // Dropping `request` cancels it.
                    let message = "the wait's deadline passed while the call was in flight";
                    let cut = CallError::local(CallKind::Deadline, operation, message.into());
                    break Err(cut.into_pyerr(py));
                }
                wait = wait.min(left);
            }
            // The timer must be created inside the runtime, hence the async block.
            let slice =
                py.detach(|| rt.block_on(async { tokio::time::timeout(wait, &mut request).await }));
            match slice {
                Ok(Ok(output)) => break output_to_py(py, operation, output),
                Ok(Err(err)) => break Err(self.scrub(err).into_pyerr(py)),
                // Dropping `request` on the way out (Ctrl-C) cancels it; the observation still
                // finishes (the span ends, hooks see the interruption).
                Err(_elapsed) => {
                    if let Err(interrupted) = py.check_signals() {
                        break Err(interrupted);
                    }
                }
            }
        };
        let metadata = Bound::new(py, request.metadata(self.hooks.service()))?;
        observe::attach(py, &result, &metadata);
        if let Some(observation) = observation {
            // `finish` reports its own failures (a raising hook) and never raises.
            let outcome = match &result {
                Ok(model) => (Some(model.bind(py).clone()), None),
                Err(err) => (None, Some(err.value(py).clone())),
            };
            observation.call_method1(intern!(py, "finish"), (outcome.0, outcome.1, &metadata))?;
        }
        result
    }

    /// Starts operation `op` and returns an awaitable; cancelling it drops the request.
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        op: u16,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut request = self.start(op, args)?;
        let observation = self.begin_observation(py, op, args)?;
        let observed = observation.is_some();
        let password = self.endpoint_password.clone();
        let service = self.hooks.service();
        runtime::get()?;
        let future = runtime::future_into_py(py, async move {
            let result = (&mut request)
                .await
                .map_err(|e| scrub(e, password.as_deref()));
            Ok(Outcome {
                operation: request.operation(),
                metadata: request.metadata(service),
                result,
                observed,
            })
        })?;
        match observation {
            // A coroutine that awaits the future and finishes the observation in the caller's task.
            Some(observation) => observation.call_method1(intern!(py, "wrap"), (future,)),
            None => Ok(future),
        }
    }
}

impl ClientCore {
    fn begin_observation<'py>(
        &self,
        py: Python<'py>,
        op: u16,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let parameters = match self.hooks.service() {
            "eks-auth" => generated::eksauth::PARAMETERS,
            _ => generated::eks::PARAMETERS,
        };
        let names = parameters.get(usize::from(op)).copied().unwrap_or(&[]);
        let region = self.config.region().map(|r| r.as_ref());
        self.hooks
            .begin(py, self.operation_name(op), region, names, args)
    }

    fn scrub(&self, err: CallError) -> CallError {
        scrub(err, self.endpoint_password.as_deref())
    }

    fn operation_name(&self, op: u16) -> &'static str {
        let names = match self.service.as_str() {
            "eks-auth" => generated::eksauth::OPERATIONS,
            _ => generated::eks::OPERATIONS,
        };
        names
            .get(usize::from(op))
            .copied()
            .unwrap_or("unknown operation")
    }

    fn start(&self, op: u16, args: &Bound<'_, PyTuple>) -> PyResult<OpFuture> {
        let client = self.client()?;
        let forced = self.forced_panic.swap(NO_PANIC, Ordering::Relaxed);
        // A panic while converting or building (in eksy or the SDK) is reported as an
        // InternalError rather than unwinding into Python as a BaseException.
        let prepared = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if forced == PANIC_IN_PREPARE {
                panic!("forced by the _force_panic test hook while preparing");
            }
            let endpoint = self.endpoint_bytes;
            match client {
                SdkClient::Eks(c) => generated::eks::prepare(&c, op, args, endpoint),
                SdkClient::EksAuth(c) => generated::eksauth::prepare(&c, op, args, endpoint),
            }
        }));
        let operation = self.operation_name(op);
        match prepared {
            Ok(_) if forced == PANIC_IN_POLL => Ok(OpFuture::new(
                operation,
                Box::pin(async { panic!("forced by the _force_panic test hook while polling") }),
            )),
            Ok(request) => request,
            Err(payload) => {
                Err(CallError::panicked(operation, payload.as_ref()).into_pyerr(args.py()))
            }
        }
    }

    /// The SDK client, rebuilt with fresh connections if this process was forked since.
    fn client(&self) -> PyResult<SdkClient> {
        let now = runtime::generation();
        {
            let current = self.current.read().map_err(|_| poisoned())?;
            if current.runtime_generation == now {
                return Ok(current.client.clone());
            }
        }
        let mut current = self.current.write().map_err(|_| poisoned())?;
        if current.runtime_generation != now {
            // The parent's pooled connections and credential cache belong to threads that no
            // longer exist here; start over with new ones.
            let mut builder = self.config.to_builder();
            builder.set_http_client(Some(http_client::shared()));
            builder.set_identity_cache(Some(aws_config::identity::IdentityCache::lazy().build()));
            current.client = build_client(
                &self.service,
                &builder.build(),
                self.user_agent_extra.as_deref(),
            );
            current.runtime_generation = now;
        }
        Ok(current.client.clone())
    }
}

/// `err` without the endpoint's password, should the SDK's message quote the URL.
fn scrub(mut err: CallError, password: Option<&str>) -> CallError {
    if let Some(password) = password {
        err.message = err.message.replace(password, "***");
    }
    err
}

fn poisoned() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err("eksy client state was poisoned by a panic")
}

/// The response model of `output`; a panic while converting it becomes an `InternalError`.
fn output_to_py(
    py: Python<'_>,
    operation: &'static str,
    output: crate::call::BoxedOutput,
) -> PyResult<Py<PyAny>> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| output.to_py(py))) {
        Ok(converted) => converted,
        Err(payload) => Err(CallError::panicked(operation, payload.as_ref()).into_pyerr(py)),
    }
}

/// The result of a request, converted to Python objects only once the GIL is held.
struct Outcome {
    operation: &'static str,
    metadata: ResponseMetadata,
    result: Result<crate::call::BoxedOutput, CallError>,
    /// Hand `(model, metadata)` to an observation's `wrap`, which needs the metadata of calls
    /// without a response model too.
    observed: bool,
}

impl<'py> IntoPyObject<'py> for Outcome {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        let result = match self.result {
            Ok(output) => output_to_py(py, self.operation, output),
            Err(err) => Err(err.into_pyerr(py)),
        };
        let metadata = Bound::new(py, self.metadata)?;
        observe::attach(py, &result, &metadata);
        let model = result?.into_bound(py);
        if self.observed {
            return Ok((model, metadata).into_pyobject(py)?.into_any());
        }
        Ok(model)
    }
}
