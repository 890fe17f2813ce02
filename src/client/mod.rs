//! `ClientCore`: one configured SDK client behind both the sync and the async Python clients.

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

mod calls;
mod config;
mod forced_panic;
mod outcome;

use config::{
    attempts_arg, build_client, check_endpoint, hide_password, hooks_arg, timeout_arg, SdkClient,
    CREDENTIAL_PAIR, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT,
};
pub(crate) use config::{config_loader, param_error};
use forced_panic::{NO_PANIC, PANIC_IN_POLL, PANIC_IN_PREPARE};
use outcome::{output_to_py, scrub, Outcome};

use crate::call::{CallError, CallKind};
use crate::http_client;
use crate::observe::{self, Hooks};
use crate::runtime;

thread_local! {
    /// Set by a waiter just before its poll: when the poll must be cut.
    static NEXT_CALL_DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// How long a sync call waits between checks for Ctrl-C.
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(50);

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
            return Err(crate::py_errors::no_region_error(py));
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
        let future = crate::asyncio::future_into_py(py, async move {
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
