//! The `eksy._eksy` extension: EKS and EKS Auth clients on the AWS Rust SDK, and the local emulator.

mod asyncio;
mod call;
mod client;
mod conv;
mod emulator;
mod gil_worker;
#[rustfmt::skip]
mod generated;
mod http_client;
mod kube;
mod observe;
mod py_errors;
mod runtime;

use pyo3::prelude::*;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Registered with `atexit` at import; see `gil_worker::begin_shutdown`.
#[pyfunction]
fn _begin_shutdown(py: Python<'_>) {
    gil_worker::begin_shutdown(py);
}

#[pymodule]
fn _eksy(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<client::ClientCore>()?;
    m.add_class::<emulator::Emulator>()?;
    m.add_class::<observe::ResponseMetadata>()?;
    kube::register(m)?;
    m.add_function(wrap_pyfunction!(py_errors::_error_factories, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    let shutdown = wrap_pyfunction!(_begin_shutdown, m)?;
    m.py()
        .import("atexit")?
        .call_method1("register", (&shutdown,))?;
    m.add_function(shutdown)?;
    Ok(())
}
