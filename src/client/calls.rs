//! What one call needs from its client: the operation's name, the SDK client (rebuilt in a
//! forked child), the prepared request future, and an observation for the hooks.

use crate::call::{CallError, OpFuture};
use crate::generated;
use crate::http_client;
use crate::runtime;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::atomic::Ordering;

use super::config::{build_client, SdkClient};
use super::forced_panic::{NO_PANIC, PANIC_IN_POLL, PANIC_IN_PREPARE};
use super::outcome::{poisoned, scrub};
use super::ClientCore;

impl ClientCore {
    pub(super) fn begin_observation<'py>(
        &self,
        py: Python<'py>,
        op: u16,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let parameters = match self.hooks.service() {
            "eks-auth" => generated::eksauth::PARAMETERS,
            _ => generated::eks::PARAMETERS,
        };
        let names = parameters.get(usize::from(op)).copied().unwrap_or(&[]);
        let region = self.config.region().map(|r| r.as_ref());
        self.hooks
            .begin(py, self.operation_name(op), region, names, args)
    }

    pub(super) fn scrub(&self, err: CallError) -> CallError {
        scrub(err, self.endpoint_password.as_deref())
    }

    pub(super) fn operation_name(&self, op: u16) -> &'static str {
        let names = match self.service.as_str() {
            "eks-auth" => generated::eksauth::OPERATIONS,
            _ => generated::eks::OPERATIONS,
        };
        names
            .get(usize::from(op))
            .copied()
            .unwrap_or("unknown operation")
    }

    pub(super) fn start(&self, op: u16, args: &Bound<'_, PyTuple>) -> PyResult<OpFuture> {
        let client = self.client()?;
        let forced = self.forced_panic.swap(NO_PANIC, Ordering::Relaxed);
        // A panic while converting or building (in eksy or the SDK) is reported as an
        // InternalError rather than unwinding into Python as a BaseException.
        let prepared = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if forced == PANIC_IN_PREPARE {
                panic!("forced by the _force_panic test hook while preparing");
            }
            let endpoint = self.endpoint_bytes;
            match client {
                SdkClient::Eks(c) => generated::eks::prepare(&c, op, args, endpoint),
                SdkClient::EksAuth(c) => generated::eksauth::prepare(&c, op, args, endpoint),
            }
        }));
        let operation = self.operation_name(op);
        match prepared {
            Ok(_) if forced == PANIC_IN_POLL => Ok(OpFuture::new(
                operation,
                Box::pin(async { panic!("forced by the _force_panic test hook while polling") }),
            )),
            Ok(request) => request,
            Err(payload) => {
                Err(CallError::panicked(operation, payload.as_ref()).into_pyerr(args.py()))
            }
        }
    }

    /// The SDK client, rebuilt with fresh connections if this process was forked since.
    pub(super) fn client(&self) -> PyResult<SdkClient> {
        let now = runtime::generation();
        {
            let current = self.current.read().map_err(|_| poisoned())?;
            if current.runtime_generation == now {
                return Ok(current.client.clone());
            }
        }
        let mut current = self.current.write().map_err(|_| poisoned())?;
        if current.runtime_generation != now {
            // The parent's pooled connections and credential cache belong to threads that no
            // longer exist here; start over with new ones.
            let mut builder = self.config.to_builder();
            builder.set_http_client(Some(http_client::shared()));
            builder.set_identity_cache(Some(aws_config::identity::IdentityCache::lazy().build()));
            current.client = build_client(
                &self.service,
                &builder.build(),
                self.user_agent_extra.as_deref(),
            );
            current.runtime_generation = now;
        }
        Ok(current.client.clone())
    }
}
