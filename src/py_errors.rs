//! The one boundary where Rust makes Python exceptions: every call into the factories of
//! `eksy._errors` is here, and `FACTORIES` lists them with their parameters so a test
//! (tests/clients/test_error_factories.py) checks each exists with that signature.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;

/// Every factory of `eksy._errors` Rust calls, with its parameter names in order.
pub const FACTORIES: &[(&str, &[&str])] = &[
    ("_param_error", &["path", "message"]),
    ("_no_region_error", &[]),
    (
        "_call_error",
        &[
            "kind",
            "operation",
            "code",
            "message",
            "status",
            "request_id",
            "body",
        ],
    ),
];

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// `eksy._errors`, which owns the exception classes.
fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    Ok(ERRORS_MODULE
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("eksy._errors")?.unbind()))?
        .bind(py))
}

/// The exception a factory returned, or the error calling it raised.
fn made(result: PyResult<Bound<'_, PyAny>>) -> PyErr {
    match result {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

/// `ParamValidationError` for the argument at `path`.
pub fn param_error(py: Python<'_>, path: &str, message: &str) -> PyErr {
    made(errors_module(py).and_then(|m| m.call_method1("_param_error", (path, message))))
}

/// `NoRegionError`, with the ways to set a region.
pub fn no_region_error(py: Python<'_>) -> PyErr {
    made(errors_module(py).and_then(|m| m.call_method0("_no_region_error")))
}

/// What a failed call reports; `kind` picks the exception class (see `_call_error`).
pub struct CallFailure<'a> {
    pub kind: &'a str,
    pub operation: &'a str,
    pub code: Option<&'a str>,
    pub message: &'a str,
    pub status: Option<u16>,
    pub request_id: Option<&'a str>,
    /// The error response's body, for the service error's modeled fields.
    pub body: Option<&'a str>,
}

/// The exception of a failed call: a `ServiceError` subclass by code, or a client-side error.
pub fn call_error(py: Python<'_>, failure: CallFailure<'_>) -> PyErr {
    let args = (
        failure.kind,
        failure.operation,
        failure.code,
        failure.message,
        failure.status,
        failure.request_id,
        failure.body,
    );
    made(errors_module(py).and_then(|m| m.call_method1("_call_error", args)))
}

/// `FACTORIES` for the test that checks them against `eksy._errors`.
#[pyfunction]
pub fn _error_factories() -> Vec<(&'static str, Vec<&'static str>)> {
    FACTORIES
        .iter()
        .map(|(name, params)| (*name, params.to_vec()))
        .collect()
}
