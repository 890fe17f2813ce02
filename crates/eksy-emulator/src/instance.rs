//! One emulator instance: its state behind one mutex, the defaults it was started with, and
//! its state file. Every task of the instance (connections, the ticker, the Kubernetes
//! endpoints) holds it. Its testing controls run through `Shared::control` (in `controls`).

use crate::identity::Identities;
use crate::state::{EndpointHost, State};
use crate::timings::Timings;
use std::sync::{Mutex, MutexGuard, PoisonError};

pub struct Shared {
    pub default_account: String,
    pub default_region: String,
    pub default_timings: Timings,
    /// `host:port` of this endpoint (tokens presigned for it are accepted, as it serves STS).
    pub authority: String,
    /// The host the emulator was asked to bind (also accepted in Host headers).
    pub bind_host: String,
    /// Needed by controls from other hosts when bound beyond loopback (printed at start).
    pub control_token: Option<String>,
    pub state_file: Option<std::path::PathBuf>,
    state: Mutex<State>,
}

impl Shared {
    pub fn new(
        default_account: String,
        default_region: String,
        timings: Timings,
        authority: String,
        bind_host: String,
        state_file: Option<std::path::PathBuf>,
        kube: Box<dyn EndpointHost>,
    ) -> Shared {
        let loopback = bind_host == "localhost"
            || bind_host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        Shared {
            state: Mutex::new(State {
                timings,
                identities: Identities::with_default(&default_account),
                kube,
                ..State::default()
            }),
            default_account,
            default_region,
            default_timings: timings,
            authority,
            bind_host,
            control_token: (!loopback).then(|| crate::util::random_hex(32)),
            state_file,
        }
    }

    /// Writes the state file when something persisted changed (the snapshot is taken under
    /// the lock, the file written outside it). A failed write is retried at the next tick.
    pub fn save_state(&self) {
        let Some(path) = &self.state_file else {
            return;
        };
        let snapshot = self.with_state(|state| {
            std::mem::take(&mut state.save_pending).then(|| crate::persistence::snapshot(state))
        });
        if let Some(snapshot) = snapshot {
            if crate::persistence::write_file(path, &snapshot).is_err() {
                self.with_state(|state| state.save_pending = true);
            }
        }
    }

    /// The state, recovered even if a handler panicked while holding it.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` with the state locked.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.lock())
    }
}
