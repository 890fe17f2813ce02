//! Conversions between Python values and the AWS SDK's types, driven by generated per-shape code.
//!
//! Inputs are validated while they are converted, so a bad parameter is reported with its full
//! path (`scaling_config.min_size`) before anything is sent.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;

use aws_smithy_types::error::operation::BuildError;
use aws_smithy_types::DateTime;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyModule, PyString, PyTuple, PyType};

/// Where a value sits in the caller's arguments; rendered only when an error is reported.
pub enum Path<'a> {
    Root,
    Field(&'a Path<'a>, &'static str),
    Index(&'a Path<'a>, usize),
    Key(&'a Path<'a>, &'a str),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Field(Path::Root, name) => write!(f, "{name}"),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
            // Python's spelling of a dict key, since the path is shown to Python users.
            Path::Key(parent, key) => write!(
                f,
                "{parent}['{}']",
                key.replace('\\', "\\\\").replace('\'', "\\'")
            ),
        }
    }
}

/// A client-side parameter error, turned into `eksy.ParamValidationError`.
#[derive(Debug)]
pub struct ConvError {
    pub path: String,
    pub message: String,
}

impl ConvError {
    pub fn new(path: &Path<'_>, message: impl Into<String>) -> Self {
        ConvError {
            path: path.to_string(),
            message: message.into(),
        }
    }
}

pub type ConvResult<T> = Result<T, ConvError>;

impl From<ConvError> for PyErr {
    fn from(err: ConvError) -> PyErr {
        Python::attach(|py| {
            let made = crate::call::errors_module(py).and_then(|module| {
                module.call_method1("_param_error", (err.path.as_str(), err.message.as_str()))
            });
            match made {
                Ok(exc) => PyErr::from_value(exc),
                Err(e) => e,
            }
        })
    }
}

/// Length limits for strings, lists and maps; value limits for integers.
pub struct Rule {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl Rule {
    pub const NONE: Rule = Rule {
        min: None,
        max: None,
    };

    pub const fn bounds(min: Option<i64>, max: Option<i64>) -> Rule {
        Rule { min, max }
    }

    fn check(&self, value: i64, what: &str, path: &Path<'_>) -> ConvResult<()> {
        if let Some(min) = self.min {
            if value < min {
                return Err(ConvError::new(
                    path,
                    format!("{what} {value} is below the minimum of {min}"),
                ));
            }
        }
        if let Some(max) = self.max {
            if value > max {
                return Err(ConvError::new(
                    path,
                    format!("{what} {value} is above the maximum of {max}"),
                ));
            }
        }
        Ok(())
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_string())
}

fn wrong_type(obj: &Bound<'_, PyAny>, path: &Path<'_>, expected: &str) -> ConvError {
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

/// The generated dataclasses of one service, each looked up the first time it is needed: the
/// module named here is an index whose attributes load the defining module on first access, so a
/// first call loads only the classes its response holds.
pub struct ModelRegistry {
    module: &'static str,
    pub names: &'static [&'static str],
    classes: PyOnceLock<IndexAndClasses>,
}

/// The index module, and one cell per class name, filled on first use.
type IndexAndClasses = (Py<PyModule>, Box<[PyOnceLock<Py<PyType>>]>);

impl ModelRegistry {
    pub const fn new(module: &'static str, names: &'static [&'static str]) -> Self {
        ModelRegistry {
            module,
            names,
            classes: PyOnceLock::new(),
        }
    }

    pub fn class<'s>(&'s self, py: Python<'_>, index: usize) -> PyResult<&'s Py<PyType>> {
        let (module, classes) = self.classes.get_or_try_init(py, || {
            let module = py.import(self.module)?.unbind();
            let cells = self.names.iter().map(|_| PyOnceLock::new()).collect();
            Ok::<_, PyErr>((module, cells))
        })?;
        let (cell, name) = classes
            .get(index)
            .zip(self.names.get(index))
            .ok_or_else(|| pyo3::exceptions::PyIndexError::new_err("model index out of range"))?;
        cell.get_or_try_init(py, || {
            Ok(module
                .bind(py)
                .getattr(*name)?
                .cast_into::<PyType>()?
                .unbind())
        })
    }

    pub fn build<const N: usize>(
        &self,
        py: Python<'_>,
        index: usize,
        values: [Py<PyAny>; N],
    ) -> PyResult<Py<PyAny>> {
        let class = self.class(py, index)?;
        let args = PyTuple::new(py, values)?;
        Ok(class.bind(py).call1(args)?.unbind())
    }
}

struct DatetimeHelpers {
    datetime_type: Py<PyAny>,
    fromtimestamp: Py<PyAny>,
    utc: Py<PyAny>,
}

static DATETIME: PyOnceLock<DatetimeHelpers> = PyOnceLock::new();

fn datetime_helpers(py: Python<'_>) -> PyResult<&DatetimeHelpers> {
    DATETIME.get_or_try_init(py, || {
        // The C implementation behind `datetime` (the same classes): on Python 3.11 importing
        // datetime.py first runs its pure-Python twin, about 1 ms of a first call.
        let module = py.import("_datetime").or_else(|_| py.import("datetime"))?;
        let datetime_type = module.getattr("datetime")?;
        Ok(DatetimeHelpers {
            fromtimestamp: datetime_type.getattr("fromtimestamp")?.unbind(),
            datetime_type: datetime_type.unbind(),
            utc: module.getattr("timezone")?.getattr("utc")?.unbind(),
        })
    })
}
