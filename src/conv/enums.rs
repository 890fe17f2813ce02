//! The model's string enums: one Rust macro implements both directions and the query form.

/// Implements both directions for a model enum: inputs must be a known value, outputs pass any
/// value through as a plain string so a newer service never breaks an older eksy.
macro_rules! enums {
    ($ty:ty => [$($value:literal),* $(,)?]) => {
        impl $crate::conv::FromPy for $ty {
            fn from_py(obj: &Bound<'_, PyAny>, path: &$crate::conv::Path<'_>) -> $crate::conv::ConvResult<Self> {
                const ALLOWED: &[&str] = &[$($value),*];
                let text = <String as $crate::conv::FromPy>::from_py(obj, path)?;
                if ALLOWED.contains(&text.as_str()) {
                    Ok(<$ty>::from(text.as_str()))
                } else {
                    Err($crate::conv::ConvError::new(
                        path,
                        format!("{:?} is not one of: {}", text, ALLOWED.join(", ")),
                    ))
                }
            }
        }

        impl $crate::conv::ToPy for $ty {
            fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                Ok(pyo3::types::PyString::new(py, self.as_str()).into_any().unbind())
            }
        }

        impl $crate::conv::QueryValue for $ty {
            fn query_len(&self, key_len: usize) -> usize {
                key_len + 2 + $crate::conv::uri_encoded_len(self.as_str())
            }
        }
    };
}
pub(crate) use enums;
