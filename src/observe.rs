//! What the SDK reports about each call while it runs, and the `ResponseMetadata` built from it.
//!
//! One `Observer` interceptor per client counts attempts and notes each attempt's outcome (HTTP
//! status, error code or connection failure) and request id. Per-call state cannot live in the
//! interceptor, which every call of the client shares, so the call's `CallStats` is put in a
//! task-local while its future is polled (the SDK runs interceptors inline, in that poll).
//! The same interceptor adds `eksy/<version>` (and `user_agent_extra`) to the User-Agent header.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextMut, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule, PyTuple};

tokio::task_local! {
    static CURRENT: Arc<CallStats>;
}

#[derive(Default)]
struct Stats {
    attempts: u32,
    status: Option<u16>,
    request_id: Option<String>,
    /// The outcome of the latest attempt; it becomes a retry reason if another attempt starts.
    last_outcome: Option<String>,
    retries: Vec<String>,
}

/// One call's attempts, last status and request id, and why each retried attempt failed.
#[derive(Default)]
pub struct CallStats(Mutex<Stats>);

impl CallStats {
    fn lock(&self) -> std::sync::MutexGuard<'_, Stats> {
        match self.0.lock() {
            Ok(guard) => guard,
            // Only plain values are written under the lock; carry on with them.
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Runs `f` (a poll of the call's future) with these stats as the task's current ones.
    pub fn scope<R>(self: &Arc<Self>, f: impl FnOnce() -> R) -> R {
        CURRENT.sync_scope(self.clone(), f)
    }

    pub fn metadata(
        &self,
        service: &'static str,
        operation: &'static str,
        took: Duration,
    ) -> ResponseMetadata {
        let stats = self.lock();
        ResponseMetadata {
            service: Cow::Borrowed(service),
            operation: Cow::Borrowed(operation),
            request_id: stats.request_id.clone(),
            http_status: stats.status,
            attempts: stats.attempts,
            duration: took.as_secs_f64(),
            retries: stats.retries.clone(),
        }
    }
}

fn with_current(f: impl FnOnce(&mut Stats)) {
    // Outside a call's poll (never, for eksy's own requests) there is nothing to record.
    let _ = CURRENT.try_with(|stats| f(&mut stats.lock()));
}

fn header<'a>(response: &'a HttpResponse, name: &str) -> Option<&'a str> {
    response.headers().get(name)
}

/// Why an attempt failed, in a few words: an error code and status, or the connection's fate.
/// Never a body or a message: they may hold what the caller sent.
fn outcome(context: &FinalizerInterceptorContextRef<'_>) -> Option<String> {
    if let Some(response) = context.response() {
        let status = response.status().as_u16();
        let code = header(response, "x-amzn-errortype")
            .map(|c| c.split(':').next().unwrap_or_default().to_owned());
        return Some(match code {
            Some(code) if !code.is_empty() => format!("{code} (HTTP {status})"),
            _ => format!("HTTP {status}"),
        });
    }
    let error = context.output_or_error()?.err()?;
    let reason = if let Some(connector) = error.as_connector_error() {
        if connector.is_timeout() {
            "timeout"
        } else if connector.is_io() {
            "connection error"
        } else {
            "connection dropped"
        }
    } else if error.is_timeout_error() {
        "timeout"
    } else {
        "failed before an answer"
    };
    Some(reason.to_owned())
}

/// The interceptor of every eksy client (see the module docs).
#[derive(Debug)]
pub struct Observer {
    /// Appended to the SDK's User-Agent: `eksy/<version>` and the user's extra, if any.
    user_agent_suffix: String,
}

impl Observer {
    pub fn new(user_agent_extra: Option<&str>) -> Self {
        let mut suffix = format!("eksy/{}", env!("CARGO_PKG_VERSION"));
        if let Some(extra) = user_agent_extra.filter(|e| !e.is_empty()) {
            suffix.push(' ');
            suffix.push_str(extra);
        }
        Observer {
            user_agent_suffix: suffix,
        }
    }
}

impl Intercept for Observer {
    fn name(&self) -> &'static str {
        "eksy::observe::Observer"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        with_current(|stats| {
            stats.attempts += 1;
            if let Some(reason) = stats.last_outcome.take() {
                stats.retries.push(reason);
            }
        });
        Ok(())
    }

    /// After signing: the User-Agent is not signed (SigV4 leaves it out), x-amz-user-agent is.
    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let headers = context.request_mut().headers_mut();
        let agent = match headers.get("user-agent") {
            Some(sdk) => format!("{sdk} {}", self.user_agent_suffix),
            None => self.user_agent_suffix.clone(),
        };
        headers.insert("user-agent", agent);
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let reason = outcome(context);
        let response = context.response();
        let status = response.map(|r| r.status().as_u16());
        let request_id = response.and_then(|r| {
            header(r, "x-amzn-requestid")
                .or_else(|| header(r, "x-amz-request-id"))
                .map(str::to_owned)
        });
        with_current(|stats| {
            stats.last_outcome = reason;
            if status.is_some() {
                stats.status = status;
                stats.request_id = request_id;
            }
        });
        Ok(())
    }
}

/// A call's metadata: request id, HTTP status, attempts, duration and the reason of each retry.
#[pyclass(module = "eksy._eksy", frozen, eq)]
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseMetadata {
    /// `"eks"` or `"eks-auth"`.
    #[pyo3(get)]
    service: Cow<'static, str>,
    /// The operation's model name, e.g. `"DescribeCluster"`.
    #[pyo3(get)]
    operation: Cow<'static, str>,
    /// The service's request id of the last answer (`x-amzn-requestid`), for AWS support.
    #[pyo3(get)]
    request_id: Option<String>,
    /// The HTTP status of the last answer; `None` if none came.
    #[pyo3(get)]
    http_status: Option<u16>,
    /// Attempts made (1 when the first one answered).
    #[pyo3(get)]
    attempts: u32,
    /// Seconds the call took, retries and backoff included.
    #[pyo3(get)]
    duration: f64,
    retries: Vec<String>,
}

#[pymethods]
impl ResponseMetadata {
    #[new]
    #[pyo3(signature = (service, operation, request_id, http_status, attempts, duration, retries))]
    fn new(
        service: &str,
        operation: &str,
        request_id: Option<String>,
        http_status: Option<u16>,
        attempts: u32,
        duration: f64,
        retries: Vec<String>,
    ) -> Self {
        ResponseMetadata {
            service: Cow::Owned(service.to_owned()),
            operation: Cow::Owned(operation.to_owned()),
            request_id,
            http_status,
            attempts,
            duration,
            retries,
        }
    }

    /// Why each attempt before the last failed (e.g. `"ThrottlingException (HTTP 429)"`).
    #[getter]
    fn retries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.retries)
    }

    /// Retries made: `attempts - 1`.
    #[getter]
    fn retry_attempts(&self) -> u32 {
        self.attempts.saturating_sub(1)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, pyo3::types::PyType>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let m = slf.get();
        let args = (
            m.service.as_ref(),
            m.operation.as_ref(),
            m.request_id.clone(),
            m.http_status,
            m.attempts,
            m.duration,
            m.retries.clone(),
        )
            .into_pyobject(py)?;
        Ok((slf.get_type(), args))
    }

    fn __repr__(&self) -> String {
        let request_id = self
            .request_id
            .as_ref()
            .map_or("None".to_owned(), |id| format!("'{id}'"));
        let status = self
            .http_status
            .map_or("None".to_owned(), |s| s.to_string());
        format!(
            "ResponseMetadata(operation='{}', request_id={request_id}, http_status={status}, \
             attempts={}, duration={:.6})",
            self.operation, self.attempts, self.duration,
        )
    }
}

/// A client's observers: its `on_call` hooks and, looked up on first use, its logger.
pub struct Hooks {
    service: &'static str,
    on_call: Option<Py<PyTuple>>,
    logger: PyOnceLock<Py<PyAny>>,
}

static SYS_MODULES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
static OBSERVE_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
const LOGGING_INFO: u8 = 20;

impl Hooks {
    pub fn new(service: &'static str, on_call: Option<Py<PyTuple>>) -> Self {
        Hooks {
            service,
            on_call,
            logger: PyOnceLock::new(),
        }
    }

    pub fn service(&self) -> &'static str {
        self.service
    }

    /// `eksy.<service>`'s logger if `logging` is loaded and it would log retries (INFO) or calls
    /// (DEBUG). Unconfigured logging does not: nothing then reaches its last-resort handler.
    fn logger<'py>(
        &self,
        py: Python<'py>,
        modules: &Bound<'py, PyDict>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(logging) = modules.get_item(intern!(py, "logging"))? else {
            return Ok(None);
        };
        let logger = self.logger.get_or_try_init(py, || {
            let name = format!("eksy.{}", self.service);
            Ok::<_, PyErr>(
                logging
                    .call_method1(intern!(py, "getLogger"), (name,))?
                    .unbind(),
            )
        })?;
        let logger = logger.bind(py);
        let enabled = logger
            .call_method1(intern!(py, "isEnabledFor"), (LOGGING_INFO,))?
            .is_truthy()?;
        Ok(enabled.then(|| logger.clone()))
    }

    /// Starts observing a call when anything wants it (hooks, logging, OpenTelemetry), as an
    /// `eksy._observe` object that finishes it; `None`, the fast path, when nothing does.
    pub fn begin<'py>(
        &self,
        py: Python<'py>,
        operation: &'static str,
        region: Option<&str>,
        parameters: &[&str],
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let modules = SYS_MODULES
            .get_or_try_init(py, || {
                Ok::<_, PyErr>(
                    py.import("sys")?
                        .getattr("modules")?
                        .cast_into::<PyDict>()?
                        .unbind(),
                )
            })?
            .bind(py);
        // Spans only if the application loaded the OpenTelemetry API: eksy never imports it.
        let tracing = modules.contains(intern!(py, "opentelemetry.trace"))?;
        let logger = self.logger(py, modules)?;
        if self.on_call.is_none() && logger.is_none() && !tracing {
            return Ok(None);
        }
        // The names of the parameters given (not None); never their values.
        let given: Vec<&str> = if self.on_call.is_some() {
            parameters
                .iter()
                .zip(args.iter())
                .filter(|(_, value)| !value.is_none())
                .map(|(name, _)| *name)
                .collect()
        } else {
            Vec::new()
        };
        let module = OBSERVE_MODULE
            .get_or_try_init(py, || Ok::<_, PyErr>(py.import("eksy._observe")?.unbind()))?
            .bind(py);
        let observation = module.call_method1(
            intern!(py, "begin"),
            (
                self.service,
                operation,
                region,
                PyTuple::new(py, given)?,
                self.on_call.as_ref().map(|h| h.bind(py)),
                logger,
                tracing,
            ),
        )?;
        Ok(Some(observation))
    }
}

/// Attaches `metadata` to a call's result: a hidden attribute of the response model (outside its
/// fields, so out of `to_dict()`, equality and repr), or `metadata` on the exception.
pub fn attach(
    py: Python<'_>,
    result: &PyResult<Py<PyAny>>,
    metadata: &Bound<'_, ResponseMetadata>,
) {
    match result {
        Ok(model) => {
            let model = model.bind(py);
            if model.is_none() {
                return;
            }
            if let Ok(fields) = model.getattr(intern!(py, "__dict__")) {
                if let Ok(fields) = fields.cast::<PyDict>() {
                    let _ = fields.set_item(intern!(py, "_metadata"), metadata);
                }
            }
        }
        Err(err) => {
            let _ = err.value(py).setattr(intern!(py, "metadata"), metadata);
        }
    }
}
