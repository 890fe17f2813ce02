//! Why a token could not be made, and the `eksy` exception each reason becomes.

use pyo3::prelude::*;

use crate::call::{CallError, CallKind};
use crate::py_errors::{self, CallFailure};

/// Why a token could not be made; turned into an `eksy` exception once the GIL is held.
pub enum TokenError {
    Call(CallError),
    NoRegion,
    Param { path: &'static str, message: String },
    Config(String),
}

impl TokenError {
    /// `reason`: the provider's error and its sources (what the clients report too).
    pub(super) fn no_credentials(reason: String) -> Self {
        TokenError::Call(CallError {
            kind: CallKind::NoCredentials,
            operation: "GetToken",
            code: None,
            message: reason,
            status: None,
            request_id: None,
            body: None,
        })
    }

    pub(super) fn into_pyerr(self, py: Python<'_>) -> PyErr {
        match self {
            TokenError::Call(err) => err.into_pyerr(py),
            TokenError::NoRegion => py_errors::no_region_error(py),
            TokenError::Param { path, message } => py_errors::param_error(py, path, &message),
            TokenError::Config(message) => py_errors::call_error(
                py,
                CallFailure {
                    kind: "other",
                    operation: "GetToken",
                    code: None,
                    message: &message,
                    status: None,
                    request_id: None,
                    body: None,
                },
            ),
        }
    }
}
