//! The emulator's sockets and shared state: the accept loop with its connection limits and
//! timeouts, one hyper connection per client, and the ticker that applies due transitions.
//! One request's path is in `pipeline`; the controls and the page in `control_api`.

use crate::controls::{self, Defaults};
use crate::identity::Identities;
use crate::kube::host::KubeHost;
use crate::pipeline::handle;
use crate::request_head::{self, FirstHead, Rewind};
use crate::state::{State, Timings};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Requests under this prefix are testing controls, not EKS calls (no auth needed).
pub const CONTROL_PREFIX: &str = "/_eksy/";

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
        kube: KubeHost,
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

    pub fn control(&self, command: &str, args: &Value) -> Result<Value, String> {
        let defaults = Defaults {
            account: &self.default_account,
            region: &self.default_region,
            timings: self.default_timings,
            endpoint: &self.authority,
        };
        let mut state = self.lock();
        catch_unwind(AssertUnwindSafe(|| {
            controls::run(&mut state, &defaults, command, args)
        }))
        .unwrap_or_else(|_| Err(format!("control {command} failed unexpectedly")))
    }
}

/// The most client connections kept open. Past it (or when the process runs out of file
/// descriptors) the longest-open connections are closed, idle ones at once, so a flood of
/// idle sockets cannot lock other clients out.
pub const MAX_CONNECTIONS: usize = 512;
/// A connection that sends no complete request header within this time is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

async fn serve_connection(
    mut stream: tokio::net::TcpStream,
    peer: std::net::SocketAddr,
    shared: Arc<Shared>,
    mut evict: watch::Receiver<bool>,
) {
    let request_id = crate::util::uuid();
    let first = tokio::select! {
        read = tokio::time::timeout(
            HEADER_READ_TIMEOUT,
            request_head::read_first_head(&mut stream, &request_id),
        ) => read,
        _ = evict.changed() => return,
    };
    let Ok(Ok(FirstHead::Valid(head))) = first else {
        return;
    };
    let service = hyper::service::service_fn(move |req| handle(shared.clone(), peer, req));
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(Rewind::new(head, stream)), service);
    let mut connection = std::pin::pin!(connection);
    // Connection errors (client went away, dropped by fault injection) end only this connection.
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = evict.changed() => connection.as_mut().graceful_shutdown(),
    }
    // An eviction finishes the request in flight, if any; an idle connection ends at once.
    let _ = tokio::time::timeout(Duration::from_secs(5), connection).await;
}

/// Accepts until shutdown, then closes the listener and every open connection.
pub async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    // Oldest first: the senders that ask each connection to close.
    let mut open: std::collections::VecDeque<(tokio::task::Id, watch::Sender<bool>)> =
        std::collections::VecDeque::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    while open.len() >= MAX_CONNECTIONS {
                        if let Some((_, evict)) = open.pop_front() {
                            let _ = evict.send(true);
                        }
                    }
                    let (evict, evicted) = watch::channel(false);
                    let handle = connections.spawn(serve_connection(stream, peer, shared.clone(), evicted));
                    open.push_back((handle.id(), evict));
                }
                // Out of descriptors and the like: close the oldest connections, then retry.
                Err(_) => {
                    for _ in 0..16 {
                        if let Some((_, evict)) = open.pop_front() {
                            let _ = evict.send(true);
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            },
            Some(done) = connections.join_next_with_id(), if !connections.is_empty() => {
                if let Ok((id, ())) = done {
                    open.retain(|(open_id, _)| *open_id != id);
                }
            }
        }
    }
    drop(listener);
    connections.shutdown().await;
    shared.with_state(|state| state.kube.stop_all());
}

/// How often the ticker applies due transitions (so Kubernetes endpoints open and close
/// on time even when no request arrives).
const TICK: Duration = Duration::from_millis(50);

pub async fn ticker(shared: std::sync::Weak<Shared>, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            _ = tokio::time::sleep(TICK) => {
                let Some(shared) = shared.upgrade() else { break };
                shared.with_state(State::tick);
                shared.save_state();
            }
        }
    }
}
