//! The listening side of the Kubernetes endpoints: one TLS listener per serving cluster,
//! opened when the cluster becomes ACTIVE (its `endpoint` and CA appear then, as on AWS)
//! and closed when it stops serving (DELETING, gone, failed), which frees its port.

use super::pki;
use super::EndpointKey;
use crate::instance::Shared;
use crate::state::{ClusterState, EndpointHost, RegionState};
use crate::util::base64_encode;
use hyper_util::rt::TokioIo;
use serde_json::json;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Weak};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The most Kubernetes endpoints served at once. Each is a listening socket; many systems
/// allow a process 1,024 descriptors by default. Past it a cluster is ACTIVE without one.
pub const MAX_LIVE_ENDPOINTS: usize = 256;

struct Live {
    uid: String,
    port: u16,
    /// Dropping it (or sending) stops the listener and its connections.
    _stop: watch::Sender<bool>,
    /// A second handle on the listening socket: stopping shuts it down at once, so a
    /// client is refused from that moment rather than when the task gets to run.
    socket: std::net::TcpListener,
}

impl Drop for Live {
    fn drop(&mut self) {
        // On Linux a read shutdown takes a listening socket out of LISTEN: new connections
        // are refused. The port is released when the task drops its handle too.
        let _ = socket2::SockRef::from(&self.socket).shutdown(std::net::Shutdown::Read);
    }
}

#[derive(Default)]
pub struct KubeHost {
    runtime: Option<tokio::runtime::Handle>,
    shared: Weak<Shared>,
    bind_ip: Option<IpAddr>,
    live: HashMap<EndpointKey, Live>,
}

impl std::fmt::Debug for KubeHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeHost")
            .field("live", &self.live.len())
            .finish_non_exhaustive()
    }
}

impl KubeHost {
    pub fn new(runtime: tokio::runtime::Handle, shared: Weak<Shared>, bind_ip: IpAddr) -> KubeHost {
        KubeHost {
            runtime: Some(runtime),
            shared,
            bind_ip: Some(bind_ip),
            live: HashMap::new(),
        }
    }

    /// The address clients use: a wildcard bind is reached through loopback.
    fn client_ip(&self) -> IpAddr {
        match self.bind_ip {
            Some(ip) if !ip.is_unspecified() => ip,
            Some(IpAddr::V6(_)) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
        }
    }

    fn start(&mut self, key: EndpointKey, cluster: &mut ClusterState) {
        let ip = self.client_ip();
        if cluster.kube.pki.is_none() {
            cluster.kube.pki = pki::generate(ip).ok();
        }
        let Some(pki) = cluster.kube.pki.clone() else {
            return;
        };
        let body = &mut cluster.cluster.body;
        if let serde_json::Value::Object(map) = body {
            map.insert(
                "certificateAuthority".into(),
                json!({"data": base64_encode(pki.ca_pem.as_bytes())}),
            );
        }
        if self.live.len() >= MAX_LIVE_ENDPOINTS {
            return;
        }
        let (Some(runtime), Some(bind_ip)) = (self.runtime.clone(), self.bind_ip) else {
            return;
        };
        // Keep the port across a restart of the same cluster's endpoint when it is free.
        let listener = cluster
            .kube
            .port
            .and_then(|port| std::net::TcpListener::bind((bind_ip, port)).ok())
            .or_else(|| std::net::TcpListener::bind((bind_ip, 0)).ok());
        let Some(listener) = listener else {
            return;
        };
        let (Ok(addr), Ok(()), Ok(socket)) = (
            listener.local_addr(),
            listener.set_nonblocking(true),
            listener.try_clone(),
        ) else {
            return;
        };
        let tls = match pki::server_config(&pki) {
            Ok(config) => Arc::new(config),
            Err(_) => return,
        };
        let port = addr.port();
        cluster.kube.port = Some(port);
        let endpoint = match ip {
            IpAddr::V6(v6) => format!("https://[{v6}]:{port}"),
            IpAddr::V4(v4) => format!("https://{v4}:{port}"),
        };
        if let serde_json::Value::Object(map) = &mut cluster.cluster.body {
            map.insert("endpoint".into(), json!(endpoint));
        }
        let (stop, stopped) = watch::channel(false);
        runtime.spawn(accept_loop(
            listener,
            tls,
            self.shared.clone(),
            key.clone(),
            cluster.kube.uid.clone(),
            stopped,
        ));
        self.live.insert(
            key,
            Live {
                uid: cluster.kube.uid.clone(),
                port,
                _stop: stop,
                socket,
            },
        );
    }
}

impl EndpointHost for KubeHost {
    /// Opens and closes endpoints for the clusters of one region marked as changed.
    fn sync(&mut self, account: &str, region: &str, resources: &mut RegionState) {
        if resources.kube_dirty.is_empty() {
            return;
        }
        for name in std::mem::take(&mut resources.kube_dirty) {
            let key = EndpointKey {
                account: account.to_string(),
                region: region.to_string(),
                cluster: name.clone(),
            };
            let cluster = resources.clusters.get_mut(&name);
            let wanted = cluster.as_ref().is_some_and(|c| c.serves_kube_api());
            let live_uid = self.live.get(&key).map(|l| l.uid.clone());
            match (cluster, wanted, live_uid) {
                (Some(cluster), true, Some(uid)) if uid == cluster.kube.uid => {}
                (Some(cluster), true, _) => {
                    self.live.remove(&key);
                    self.start(key, cluster);
                }
                (_, false, Some(_)) => {
                    self.live.remove(&key);
                }
                _ => {}
            }
        }
    }

    /// Closes every endpoint (reset, stop); the host stays ready to serve again.
    fn stop_all(&mut self) {
        self.live.clear();
    }

    /// Ports of the endpoints being served, for the controls.
    fn ports(&self) -> Vec<(EndpointKey, u16)> {
        self.live.iter().map(|(k, l)| (k.clone(), l.port)).collect()
    }
}

async fn accept_loop(
    listener: std::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    shared: Weak<Shared>,
    key: EndpointKey,
    uid: String,
    mut stop: watch::Receiver<bool>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // A send or a dropped sender both end the endpoint.
            _ = stop.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(stream, peer, acceptor.clone(), shared.clone(), key.clone(), uid.clone()));
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.shutdown().await;
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    _peer: SocketAddr,
    acceptor: tokio_rustls::TlsAcceptor,
    shared: Weak<Shared>,
    key: EndpointKey,
    uid: String,
) {
    // A client that never finishes its handshake is not kept around.
    let handshake =
        tokio::time::timeout(std::time::Duration::from_secs(10), acceptor.accept(stream));
    let Ok(Ok(tls)) = handshake.await else {
        return;
    };
    let key = Arc::new((key, uid));
    let service = hyper::service::service_fn(move |req| {
        let shared = shared.clone();
        let key = key.clone();
        async move { super::api::handle(shared, &key.0, &key.1, req).await }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(tls), service)
        .await;
}

/// Marks a cluster for [`KubeHost::sync`].
pub fn touch(resources: &mut RegionState, cluster: &str) {
    touch_name(&mut resources.kube_dirty, cluster);
}

pub fn touch_name(dirty: &mut std::collections::BTreeSet<String>, cluster: &str) {
    dirty.insert(cluster.to_string());
}
