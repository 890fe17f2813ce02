//! SDK values to Python values (`ToPy`); structures become the generated model classes.

use std::collections::HashMap;

use aws_smithy_types::DateTime;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use super::datetime::datetime_helpers;

/// An SDK value that becomes a Python value (models are the generated frozen dataclasses).
pub trait ToPy {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>>;
}

impl ToPy for String {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(PyString::new(py, self).into_any().unbind())
    }
}

macro_rules! to_py_by_value {
    ($($ty:ty),*) => {
        $(impl ToPy for $ty {
            fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                Ok(self.into_pyobject(py)?.to_owned().into_any().unbind())
            }
        })*
    };
}
to_py_by_value!(i32, i64, f64, bool);

/// The epoch seconds of Python's `datetime.min` and `datetime.max` (years 1 and 9999, UTC).
const PY_DATETIME_MIN_SECS: i64 = -62_135_596_800;
const PY_DATETIME_MAX_SECS: i64 = 253_402_300_799;

impl ToPy for DateTime {
    /// A timezone-aware UTC datetime; a time outside Python's range (years 1 to 9999) is clamped
    /// to `datetime.min` or `datetime.max` (UTC), so the rest of the response stays readable.
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let helpers = datetime_helpers(py)?;
        let utc = helpers.utc.bind(py);
        let secs = self.secs();
        // The last second clamps too: its fraction could round up past the maximum.
        if !(PY_DATETIME_MIN_SECS..PY_DATETIME_MAX_SECS).contains(&secs) {
            let bound = if secs < 0 { "min" } else { "max" };
            let kwargs = PyDict::new(py);
            kwargs.set_item("tzinfo", utc)?;
            return Ok(helpers
                .datetime_type
                .bind(py)
                .getattr(bound)?
                .call_method("replace", (), Some(&kwargs))?
                .unbind());
        }
        let seconds = secs as f64 + f64::from(self.subsec_nanos()) / 1e9;
        Ok(helpers
            .fromtimestamp
            .bind(py)
            .call1((seconds, utc))?
            .unbind())
    }
}

impl<T: ToPy> ToPy for Option<T> {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self {
            Some(value) => value.to_py(py),
            None => Ok(py.None()),
        }
    }
}

impl<T: ToPy> ToPy for Vec<T> {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let items = self
            .iter()
            .map(|v| v.to_py(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }
}

impl<T: ToPy> ToPy for HashMap<String, T> {
    fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let dict = PyDict::new(py);
        for (key, value) in self {
            dict.set_item(key, value.to_py(py)?)?;
        }
        Ok(dict.into_any().unbind())
    }
}
