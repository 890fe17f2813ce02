//! The `eksy._eksy` extension: EKS and EKS Auth clients on the AWS Rust SDK, and the local emulator.

mod call;
mod client;
mod conv;
mod emulator;
#[rustfmt::skip]
mod generated;
mod http_client;
mod runtime;

use pyo3::prelude::*;

#[pymodule]
fn _eksy(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<client::ClientCore>()?;
    m.add_class::<emulator::Emulator>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
