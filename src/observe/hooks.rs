//! A client's observers: its `on_call` hooks and its logger, told of each finished call.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule, PyTuple};

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
