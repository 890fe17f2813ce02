//! The emulator's sockets: the accept loop with its connection limits and
//! timeouts, one hyper connection per client, and the ticker that applies due transitions.
//! One request's path is in `pipeline`; the controls and the page in `control_api`.

use crate::instance::Shared;
use crate::pipeline::handle;
use crate::request_head::{self, FirstHead, Rewind};
use crate::state::State;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

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
