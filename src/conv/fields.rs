//! The members of an input structure, read from call arguments, a dict or a model instance,
//! with the URI length the SDK can still send.

use std::cell::Cell;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use super::from_py::{wrong_type, FromPy};
use super::models::ModelRegistry;
use super::path::{ConvError, ConvResult, Path, Rule};

/// Where a structure's members come from: positional call arguments, a dict, or a model instance.
enum Source<'a, 'py> {
    Args(&'a Bound<'py, PyTuple>),
    Dict(&'a Bound<'py, PyDict>),
    Object(&'a Bound<'py, PyAny>),
}

pub struct Fields<'a, 'py> {
    source: Source<'a, 'py>,
    names: &'static [&'static str],
    path: &'a Path<'a>,
    /// Percent-encoded bytes of the URI members read so far, and the longest one (bytes, index).
    uri: Cell<(usize, usize, usize)>,
}

/// The most bytes a request's URL may hold: the SDK builds and signs requests with the `http`
/// crate, whose `Uri` refuses more (`u16::MAX - 1`); the SDK's serializer panics on that refusal.
pub const URI_MAX_BYTES: usize = 65_534;

/// Bytes that must be percent-encoded in a URI label or query value: the SDK's set
/// (`aws_smithy_http::urlencode::BASE_SET`: controls, space and the RFC 3986 delimiters).
const ENCODED_ASCII: &[u8] = b" /:,?#[]{}|@!$&'()*+;=%<>\"^`\\";

/// The length of `text` once percent-encoded as the SDK encodes URI labels and query values.
pub fn uri_encoded_len(text: &str) -> usize {
    text.bytes()
        .map(|b| {
            if !(0x20..0x7f).contains(&b) || ENCODED_ASCII.contains(&b) {
                3
            } else {
                1
            }
        })
        .sum()
}

/// A value sent in the query string: its bytes there, counting `key=` and the separator.
pub trait QueryValue {
    fn query_len(&self, key_len: usize) -> usize;
}

impl QueryValue for String {
    fn query_len(&self, key_len: usize) -> usize {
        key_len + 2 + uri_encoded_len(self)
    }
}

macro_rules! query_by_display {
    ($($ty:ty),*) => {
        $(impl QueryValue for $ty {
            fn query_len(&self, key_len: usize) -> usize {
                key_len + 2 + self.to_string().len()
            }
        })*
    };
}
query_by_display!(i32, i64, bool);

impl<T: QueryValue> QueryValue for Vec<T> {
    fn query_len(&self, key_len: usize) -> usize {
        self.iter().map(|item| item.query_len(key_len)).sum()
    }
}

impl<'a, 'py> Fields<'a, 'py> {
    pub fn args(args: &'a Bound<'py, PyTuple>, names: &'static [&'static str]) -> PyResult<Self> {
        if args.len() != names.len() {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "expected {} arguments, got {}",
                names.len(),
                args.len()
            )));
        }
        Ok(Fields {
            source: Source::Args(args),
            names,
            path: &Path::Root,
            uri: Cell::new((0, 0, 0)),
        })
    }

    pub fn structure(
        obj: &'a Bound<'py, PyAny>,
        path: &'a Path<'a>,
        registry: &ModelRegistry,
        model: usize,
        names: &'static [&'static str],
    ) -> ConvResult<Self> {
        if let Ok(dict) = obj.cast::<PyDict>() {
            for key in dict.keys() {
                let key_text = key.cast::<PyString>().ok().and_then(|k| k.to_str().ok());
                match key_text {
                    Some(k) if names.contains(&k) => {}
                    _ => {
                        return Err(ConvError::new(
                            path,
                            format!(
                                "unknown key {}; expected some of: {}",
                                key_repr(&key),
                                names.join(", ")
                            ),
                        ))
                    }
                }
            }
            return Ok(Fields {
                source: Source::Dict(dict),
                names,
                path,
                uri: Cell::new((0, 0, 0)),
            });
        }
        let py = obj.py();
        let class = registry
            .class(py, model)
            .map_err(|e| ConvError::new(path, e.to_string()))?;
        if obj.is_instance(class.bind(py).as_any()).unwrap_or(false) {
            return Ok(Fields {
                source: Source::Object(obj),
                names,
                path,
                uri: Cell::new((0, 0, 0)),
            });
        }
        Err(wrong_type(
            obj,
            path,
            &format!("dict or {}", registry.names[model]),
        ))
    }

    /// The member at `index`, converted and checked; `None` when absent or None.
    pub fn get<T: FromPy>(
        &self,
        index: usize,
        required: bool,
        rule: &Rule,
    ) -> ConvResult<Option<T>> {
        let name = self.names[index];
        let member_path = Path::Field(self.path, name);
        let value = match &self.source {
            Source::Args(args) => args.get_item(index).ok(),
            Source::Dict(dict) => dict.get_item(name).ok().flatten(),
            Source::Object(obj) => obj.getattr(name).ok(),
        };
        match value {
            Some(value) if !value.is_none() => {
                let converted = T::from_py(&value, &member_path)?;
                converted.check(rule, &member_path)?;
                Ok(Some(converted))
            }
            _ if required => Err(ConvError::new(&member_path, "missing required parameter")),
            _ => Ok(None),
        }
    }
}

impl Fields<'_, '_> {
    fn count_uri_bytes(&self, index: usize, bytes: usize) {
        let (total, longest, longest_index) = self.uri.get();
        let (longest, longest_index) = if bytes > longest {
            (bytes, index)
        } else {
            (longest, longest_index)
        };
        self.uri
            .set((total.saturating_add(bytes), longest, longest_index));
    }

    /// A member that fills a `{label}` of the request path: it must not encode to nothing.
    pub fn label(&self, index: usize, required: bool, rule: &Rule) -> ConvResult<Option<String>> {
        let value: Option<String> = self.get(index, required, rule)?;
        if let Some(text) = &value {
            let bytes = uri_encoded_len(text);
            if bytes == 0 {
                let path = Path::Field(self.path, self.names[index]);
                return Err(ConvError::new(
                    &path,
                    "must not be empty: it is part of the request path",
                ));
            }
            self.count_uri_bytes(index, bytes);
        }
        Ok(value)
    }

    /// A member sent in the query string as `key=value` (a list as one pair per item).
    pub fn query<T: FromPy + QueryValue>(
        &self,
        index: usize,
        required: bool,
        rule: &Rule,
        key: &'static str,
    ) -> ConvResult<Option<T>> {
        let value: Option<T> = self.get(index, required, rule)?;
        if let Some(v) = &value {
            self.count_uri_bytes(index, v.query_len(key.len()));
        }
        Ok(value)
    }

    /// Refuses a request whose URL (`endpoint` bytes of scheme, host and base path, `fixed`
    /// bytes of template, and the members) would pass `URI_MAX_BYTES`, naming the member that
    /// takes the most of it.
    pub fn check_uri(&self, fixed: usize, endpoint: usize) -> ConvResult<()> {
        let (total, longest, index) = self.uri.get();
        let total = total.saturating_add(fixed).saturating_add(endpoint);
        if total <= URI_MAX_BYTES {
            return Ok(());
        }
        let path = Path::Field(self.path, self.names[index]);
        Err(ConvError::new(
            &path,
            format!(
                "too long for the request URI: it takes {longest} bytes once percent-encoded, \
                 and a request's URL may hold at most {URI_MAX_BYTES} bytes \
                 (this one would hold {total})"
            ),
        ))
    }
}

fn key_repr(key: &Bound<'_, PyAny>) -> String {
    key.repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "<key>".to_string())
}
