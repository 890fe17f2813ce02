//! Python values to SDK values (`FromPy`), checked as they are converted.

use std::collections::HashMap;

use aws_smithy_types::error::operation::BuildError;
use aws_smithy_types::DateTime;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use super::datetime::datetime_helpers;
use super::path::{ConvError, ConvResult, Path, Rule};

pub(super) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_string())
}

pub(super) fn wrong_type(obj: &Bound<'_, PyAny>, path: &Path<'_>, expected: &str) -> ConvError {
    ConvError::new(path, format!("expected {expected}, got {}", type_name(obj)))
}

/// A Python value that becomes an SDK value.
pub trait FromPy: Sized {
    fn from_py(obj: &Bound<'_, PyAny>, path: &Path<'_>) -> ConvResult<Self>;

    /// Checks the member's length or range rule; most types have none.
    fn check(&self, _rule: &Rule, _path: &Path<'_>) -> ConvResult<()> {
        Ok(())
    }
}

impl FromPy for String {
    fn from_py(obj: &Bound<'_, PyAny>, path: &Path<'_>) -> ConvResult<Self> {
        let text = obj
            .cast::<PyString>()
            .map_err(|_| wrong_type(obj, path, "str"))?;
        text.to_str()
            .map(str::to_owned)
            .map_err(|_| ConvError::new(path, "string is not valid UTF-8"))
    }

    fn check(&self, rule: &Rule, path: &Path<'_>) -> ConvResult<()> {
        let chars = i64::try_from(self.chars().count()).unwrap_or(i64::MAX);
        rule.check(chars, "length", path)
    }
}

fn py_int(obj: &Bound<'_, PyAny>, path: &Path<'_>) -> ConvResult<i64> {
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        return Err(wrong_type(obj, path, "int"));
    }
    obj.extract::<i64>()
        .map_err(|_| ConvError::new(path, "integer is out of range"))
}

impl FromPy for i32 {
    fn from_py(obj: &Bound<'_, PyAny>, path: &Path<'_>) -> ConvResult<Self> {
        let value = py_int(obj, path)?;
        i32::try_from(value)
            .map_err(|_| ConvError::new(path, format!("integer {value} does not fit in 32 bits")))
    }

    fn check(&self, rule: &Rule, path: &Path<'_>) -> ConvResult<()> {
        rule.check(i64::from(*self), "value", path)
    }
}

impl FromPy for i64 {
    fn from_py(obj: &Bound<'_, PyAny>, path: &Path<'_>) -> ConvResult<Self> {
        py_int(obj, path)
    }

    fn check(&self, rule: &Rule, path: &Path<'_>) -> ConvResult<()> {
        rule.check(*self, "value", path)
    }
}

impl FromPy for bool {
    fn from_py(obj: &Bound<'_, PyAny>, path: &Path<'_>) -> ConvResult<Self> {
        obj.cast::<PyBool>()
            .map(|b| b.is_true())
            .map_err(|_| wrong_type(obj, path, "bool"))
    }
}

impl FromPy for f64 {
    fn from_py(obj: &Bound<'_, PyAny>, path: &Path<'_>) -> ConvResult<Self> {
        if obj.is_instance_of::<PyBool>()
            || !(obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyInt>())
        {
            return Err(wrong_type(obj, path, "float"));
        }
        obj.extract::<f64>()
            .map_err(|_| wrong_type(obj, path, "float"))
    }
}

impl FromPy for DateTime {
    fn from_py(obj: &Bound<'_, PyAny>, path: &Path<'_>) -> ConvResult<Self> {
        let py = obj.py();
        let helpers = datetime_helpers(py).map_err(|e| ConvError::new(path, e.to_string()))?;
        let seconds = if obj
            .is_instance(helpers.datetime_type.bind(py))
            .unwrap_or(false)
        {
            // A naive datetime is taken as UTC, as botocore does.
            let aware = if obj.getattr("tzinfo").map(|t| t.is_none()).unwrap_or(true) {
                let kwargs = PyDict::new(py);
                kwargs
                    .set_item("tzinfo", helpers.utc.bind(py))
                    .and_then(|_| obj.call_method("replace", (), Some(&kwargs)))
                    .map_err(|e| ConvError::new(path, e.to_string()))?
            } else {
                obj.clone()
            };
            aware
                .call_method0("timestamp")
                .and_then(|t| t.extract::<f64>())
                .map_err(|e| ConvError::new(path, e.to_string()))?
        } else if !obj.is_instance_of::<PyBool>()
            && (obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>())
        {
            obj.extract::<f64>()
                .map_err(|_| wrong_type(obj, path, "datetime"))?
        } else {
            return Err(wrong_type(obj, path, "datetime or epoch seconds"));
        };
        if !seconds.is_finite() {
            return Err(ConvError::new(path, "timestamp must be a finite number"));
        }
        Ok(DateTime::from_secs_f64(seconds))
    }
}

impl<T: FromPy> FromPy for Vec<T> {
    fn from_py(obj: &Bound<'_, PyAny>, path: &Path<'_>) -> ConvResult<Self> {
        // A str is a sequence too; refusing it catches `subnets="subnet-1"`.
        let items: Vec<Bound<'_, PyAny>> = if let Ok(list) = obj.cast::<PyList>() {
            list.iter().collect()
        } else if let Ok(tuple) = obj.cast::<PyTuple>() {
            tuple.iter().collect()
        } else {
            return Err(wrong_type(obj, path, "list"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let item_path = Path::Index(path, i);
                if item.is_none() {
                    return Err(ConvError::new(&item_path, "None is not allowed in a list"));
                }
                T::from_py(item, &item_path)
            })
            .collect()
    }

    fn check(&self, rule: &Rule, path: &Path<'_>) -> ConvResult<()> {
        rule.check(
            i64::try_from(self.len()).unwrap_or(i64::MAX),
            "length",
            path,
        )
    }
}

impl<T: FromPy> FromPy for HashMap<String, T> {
    fn from_py(obj: &Bound<'_, PyAny>, path: &Path<'_>) -> ConvResult<Self> {
        let dict = obj
            .cast::<PyDict>()
            .map_err(|_| wrong_type(obj, path, "dict"))?;
        let mut out = HashMap::with_capacity(dict.len());
        for (key, value) in dict.iter() {
            let key = String::from_py(&key, path)?;
            let value_path = Path::Key(path, &key);
            if value.is_none() {
                return Err(ConvError::new(
                    &value_path,
                    "None is not allowed as a map value",
                ));
            }
            let value = T::from_py(&value, &value_path)?;
            out.insert(key, value);
        }
        Ok(out)
    }

    fn check(&self, rule: &Rule, path: &Path<'_>) -> ConvResult<()> {
        rule.check(i64::try_from(self.len()).unwrap_or(i64::MAX), "size", path)
    }
}

/// Unifies SDK builders whose `build()` returns the value and those that return a `Result`.
pub trait Built<T> {
    fn built(self, path: &Path<'_>) -> ConvResult<T>;
}

impl<T> Built<T> for Result<T, BuildError> {
    fn built(self, path: &Path<'_>) -> ConvResult<T> {
        self.map_err(|e| ConvError::new(path, e.to_string()))
    }
}

/// Implements `Built` for structures whose builder cannot fail.
macro_rules! infallible_build {
    ($($ty:ty),* $(,)?) => {
        $(impl $crate::conv::Built<$ty> for $ty {
            fn built(self, _path: &$crate::conv::Path<'_>) -> $crate::conv::ConvResult<$ty> {
                Ok(self)
            }
        })*
    };
}
pub(crate) use infallible_build;
