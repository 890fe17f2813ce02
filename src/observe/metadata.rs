//! `ResponseMetadata`: what one call did (operation, request id, HTTP status, attempts,
//! duration), attached to its response model or its exception.

use std::borrow::Cow;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// A call's metadata: request id, HTTP status, attempts, duration and the reason of each retry.
#[pyclass(module = "eksy._eksy", frozen, eq)]
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseMetadata {
    /// `"eks"` or `"eks-auth"`.
    #[pyo3(get)]
    pub(super) service: Cow<'static, str>,
    /// The operation's model name, e.g. `"DescribeCluster"`.
    #[pyo3(get)]
    pub(super) operation: Cow<'static, str>,
    /// The service's request id of the last answer (`x-amzn-requestid`), for AWS support.
    #[pyo3(get)]
    pub(super) request_id: Option<String>,
    /// The HTTP status of the last answer; `None` if none came.
    #[pyo3(get)]
    pub(super) http_status: Option<u16>,
    /// Attempts made (1 when the first one answered).
    #[pyo3(get)]
    pub(super) attempts: u32,
    /// Seconds the call took, retries and backoff included.
    #[pyo3(get)]
    pub(super) duration: f64,
    pub(super) retries: Vec<String>,
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
