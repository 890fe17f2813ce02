//! Where a value sits in the caller's arguments, the error that names it, and the model's
//! length and range rules checked on the way in.

use std::fmt;

use pyo3::prelude::*;

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
        Python::attach(|py| crate::py_errors::param_error(py, &err.path, &err.message))
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

    pub(super) fn check(&self, value: i64, what: &str, path: &Path<'_>) -> ConvResult<()> {
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
