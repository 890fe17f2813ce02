//! The generated model classes of a service, looked up on first use.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyModule, PyTuple, PyType};

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
