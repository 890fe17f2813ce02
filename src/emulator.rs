//! `eksy._eksy.Emulator`: the local EKS emulator (crate `eksy-emulator`) on the shared runtime.

use std::collections::HashMap;

use eksy_emulator::{Emulator as Server, EmulatorConfig, Timings};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

use crate::runtime;

#[pyclass(module = "eksy._eksy", name = "Emulator", frozen)]
pub struct Emulator {
    server: Server,
    /// The process that started it: a forked child holds the handle, but the server (its
    /// runtime's threads) stayed in the parent.
    started_in: u32,
}

#[pymethods]
impl Emulator {
    #[new]
    #[pyo3(signature = (host="127.0.0.1".to_owned(), port=0, region="us-east-1".to_owned(), account_id=None, timings=None, state_file=None, strict=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        host: String,
        port: u16,
        region: String,
        account_id: Option<String>,
        timings: Option<HashMap<String, f64>>,
        state_file: Option<std::path::PathBuf>,
        strict: bool,
    ) -> PyResult<Self> {
        let timings = match timings {
            None => Timings::default(),
            Some(map) => {
                let value =
                    serde_json::to_value(map).map_err(|e| PyValueError::new_err(e.to_string()))?;
                Timings::default()
                    .merged(&value)
                    .map_err(|e| PyValueError::new_err(format!("invalid timings: {e}")))?
            }
        };
        let address = format!("{host}:{port}");
        let config = EmulatorConfig {
            host,
            port,
            region,
            account_id,
            timings,
            state_file,
            strict,
        };
        let rt = runtime::get()?;
        let server = py
            .detach(|| rt.block_on(Server::start(config)))
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::InvalidData {
                    PyValueError::new_err(format!("cannot start the EKS emulator: {e}"))
                } else {
                    PyOSError::new_err(format!("cannot start the EKS emulator on {address}: {e}"))
                }
            })?;
        Ok(Emulator {
            server,
            started_in: std::process::id(),
        })
    }

    #[getter]
    fn endpoint_url(&self) -> String {
        self.server.endpoint_url()
    }

    #[getter]
    fn port(&self) -> u16 {
        self.server.local_addr().port()
    }

    /// The token controls from other hosts need when bound beyond loopback, else None.
    #[getter]
    fn control_token(&self) -> Option<String> {
        self.server.control_token().map(str::to_string)
    }

    /// Runs a testing control: JSON arguments in, JSON result out.
    fn control(&self, py: Python<'_>, command: &str, args_json: &str) -> PyResult<String> {
        let args: serde_json::Value = serde_json::from_str(args_json)
            .map_err(|e| PyValueError::new_err(format!("control arguments: {e}")))?;
        let result = py
            .detach(|| self.server.control(command, args))
            .map_err(PyValueError::new_err)?;
        Ok(result.to_string())
    }

    /// Stops serving and frees the port; safe to call twice. Does nothing in a forked child,
    /// where waiting for the parent's server to wind down would never end.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        if std::process::id() != self.started_in {
            return Ok(());
        }
        let rt = runtime::get()?;
        py.detach(|| rt.block_on(self.server.stop()));
        Ok(())
    }
}
