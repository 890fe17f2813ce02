//! The `datetime` helpers both directions use, imported once.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

pub(super) struct DatetimeHelpers {
    pub(super) datetime_type: Py<PyAny>,
    pub(super) fromtimestamp: Py<PyAny>,
    pub(super) utc: Py<PyAny>,
}

static DATETIME: PyOnceLock<DatetimeHelpers> = PyOnceLock::new();

pub(super) fn datetime_helpers(py: Python<'_>) -> PyResult<&DatetimeHelpers> {
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
