//! A finished call as Python sees it: the response model (or the exception) and its metadata.

use pyo3::prelude::*;

use crate::call::CallError;
use crate::observe::{self, ResponseMetadata};

/// The response model of `output`; a panic while converting it becomes an `InternalError`.
pub(super) fn output_to_py(
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
pub(super) struct Outcome {
    pub(super) operation: &'static str,
    pub(super) metadata: ResponseMetadata,
    pub(super) result: Result<crate::call::BoxedOutput, CallError>,
    /// Hand `(model, metadata)` to an observation's `wrap`, which needs the metadata of calls
    /// without a response model too.
    pub(super) observed: bool,
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

/// `err` without the endpoint's password, should the SDK's message quote the URL.
pub(super) fn scrub(mut err: CallError, password: Option<&str>) -> CallError {
    if let Some(password) = password {
        err.message = err.message.replace(password, "***");
    }
    err
}

pub(super) fn poisoned() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err("eksy client state was poisoned by a panic")
}
