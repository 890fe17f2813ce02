//! A local Amazon EKS (and EKS Auth) emulator speaking the REST-JSON wire protocol as AWS
//! does, for tests and notebooks.
//!
//! # Wire layer
//! Driven at run time by the botocore service models in `generated/wire_model.json`: every
//! one of the 71 operations is routed by `http.method` + `http.requestUri`, its input is read
//! from URI labels, query string, headers and JSON body, and validated (required members,
//! types, enums, lengths, ranges, patterns) into `InvalidParameterException` with AWS's
//! `N validation error(s) detected: Value ... at 'member' failed to satisfy constraint: ...`
//! message. All 71 operations have behaviour: clusters (EKS and connected), node groups,
//! Fargate profiles, add-ons and their catalog, updates, tags, access entries and access
//! policies, pod identity associations, OIDC identity provider configs, EKS Anywhere
//! subscriptions, insights and their refreshes, the Kubernetes version catalog, capabilities,
//! certificate authorities, and EKS Auth `AssumeRoleForPodIdentity` (fake credentials). Only
//! a name outside the models would answer 501 `NotImplementedException`. Errors are JSON `{"message": ..., <modeled fields>}` with an
//! `x-amzn-errortype` header; every response carries `x-amzn-requestid`. Unknown routes
//! answer 404 `UnknownOperationException`; a malformed JSON body 400 `SerializationException`;
//! a panic in a handler 500 `ServerException`.
//!
//! # Identity
//! Requests need a well-formed SigV4 `Authorization` header (or presigned query); the
//! signature is not verified. Missing → 403 `MissingAuthenticationTokenException`, malformed
//! → 403 `IncompleteSignatureException`. The region is the credential scope's region. The
//! account is the access key id when that is exactly 12 digits (so tests can act as several
//! accounts), else `EmulatorConfig::account_id`, else `123456789012`. State is kept apart per
//! `(account, region)`.
//!
//! # Lifecycles
//! Resources move `CREATING → ACTIVE`, `UPDATING → ACTIVE`, `DELETING → gone`, and updates
//! `InProgress → Successful`, on an emulator clock (wall clock + an offset moved by `advance`).
//! Transitions take the seconds in [`Timings`] and are applied lazily when state is read. An
//! update completes together with its resource's `UPDATING → ACTIVE` transition; the
//! update's changes (e.g. a new version) become visible then.
//!
//! # Testing controls
//! `Emulator::control(command, args)` (JSON object in, JSON object out) or, for other
//! languages, `POST /_eksy/control/<command>` with the JSON args as body (no auth; errors are
//! 400 `InvalidControlException`). `GET /_eksy/health` answers `{"status": "ok"}`.
//! `operation` arguments are model names (`"DescribeCluster"`) or `"*"` (every operation,
//! the default); a rule for a named operation takes precedence over `"*"`.
//!
//! | command | args | result |
//! |---|---|---|
//! | `reset` | – | `{}`; forgets resources, requests, faults, clock offset; timings back to the configured ones |
//! | `requests` | `operation?` | `{"requests": [{operation, method, path, query: [[k, v]], headers: {k: v}, body, account, region, time}]}`; the most recent 10,000 |
//! | `clear_requests` | – | `{}` |
//! | `queue` | `operation?`, `count?` (1), one of `error: {code, message?, status?, fields?}`, `response: {status?, body?, headers?}`, `drop: true` | `{"queued": n}`; answers used in order before the operation runs, then requests pass through |
//! | `clear_queue` | `operation?` | `{}` |
//! | `set_latency` | `operation?`, `seconds` (0 clears) | `{}` |
//! | `set_error_rate` | `operation?`, `rate` (0..1, 0 clears), `code?` (`ServiceUnavailableException`), `message?`, `status?`, `fields?` | `{}` |
//! | `drop_connections` | `operation?`, `rate?` (1), `count?` (unlimited) | `{}`; closes the connection without an answer |
//! | `clear_faults` | – | `{}`; queued answers, latency, error rates, drops |
//! | `advance` | `seconds` | `{"now": epoch_seconds}` |
//! | `now` | – | `{"now": epoch_seconds}` |
//! | `set_timings` | `{name: seconds}` for names of [`Timings`], or `all` | `{"timings": {...}}` |
//! | `timings` | – | `{"timings": {...}}` |
//! | `force_status` | `resource` (a kind of the registry with a status: `cluster`, `nodegroup`, `fargate_profile`, `addon`, `update`, `capability`, `identity_provider_config`), `cluster`, `name` (not for clusters; the update id for updates), `status` (a model enum value), `health_issues?` (`[{code, message, resourceIds}]`), `account_id?`, `region?` | `{"resource": body}`; drops any pending transition; failure statuses get a default health issue (update: `errors`) |
//! | `set_version_catalog` | `versions: [{version ("1.NN"), release_date, end_of_standard_support, end_of_extended_support (epoch seconds or "YYYY-MM-DD"), platform_version? ("eks.1"), kubernetes_patch_version? ("1.NN.0")}]` (1 to 100) or `builtin: true`, `account_id?`, `region?` | `{"versions": [...]}` oldest first, dates as epoch seconds; replaces the region's Kubernetes version catalog (catalogs::versions) |
//! | `version_catalog` | `account_id?`, `region?` | `{"versions": [...]}` as `set_version_catalog` returns |

mod auth;
mod catalogs;
mod control_api;
mod controls;
mod error;
mod faults;
mod identity;
mod instance;
mod kinds;
mod kube;
mod lifecycle;
mod model;
mod overview;
mod page;
mod persistence;
mod pipeline;
mod recording;
mod request_head;
// Generated and complete: not every accessor of the table is used by the emulator itself.
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "generated/ops.rs"]
mod ops;
#[rustfmt::skip]
#[path = "generated/kinds.rs"]
mod resource_kinds;
mod server;
mod service;
mod state;
mod sts;
mod timings;
mod util;
mod wire;

pub use timings::Timings;

use serde_json::Value;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The account used when the access key id is not a 12-digit account id and none is configured.
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";

/// How to start an [`Emulator`].
#[derive(Debug, Clone, PartialEq)]
pub struct EmulatorConfig {
    /// Address to bind; `127.0.0.1` by default (the emulator has no real authentication).
    pub host: String,
    /// Port to bind; 0 picks a free one.
    pub port: u16,
    /// Region for controls that name none (requests always carry their own).
    pub region: String,
    /// Account for access keys that are not 12-digit account ids; `123456789012` if unset.
    pub account_id: Option<String>,
    pub timings: Timings,
    /// Restore state from this file at start (if it exists) and save it on change and at
    /// stop; a corrupt, foreign or newer file is an error at start and left untouched.
    pub state_file: Option<std::path::PathBuf>,
    /// Verify every request's SigV4 signature against the identity registry.
    pub strict: bool,
}

impl Default for EmulatorConfig {
    fn default() -> EmulatorConfig {
        EmulatorConfig {
            host: "127.0.0.1".into(),
            port: 0,
            region: "us-east-1".into(),
            account_id: None,
            timings: Timings::default(),
            state_file: None,
            strict: false,
        }
    }
}

/// A running emulator. Stops when [`Emulator::stop`] is awaited or when dropped.
pub struct Emulator {
    shared: Arc<instance::Shared>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Emulator {
    /// Binds and spawns the server on the current tokio runtime (called inside it).
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let saved = match &config.state_file {
            Some(path) => persistence::read_file(path)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?,
            None => None,
        };
        let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
        let addr = listener.local_addr()?;
        let account = config
            .account_id
            .clone()
            .unwrap_or_else(|| DEFAULT_ACCOUNT_ID.to_string());
        let authority = authority(addr);
        let runtime = tokio::runtime::Handle::current();
        let shared = Arc::new_cyclic(|weak| {
            instance::Shared::new(
                account,
                config.region.clone(),
                config.timings,
                authority,
                config.host.clone(),
                config.state_file.clone(),
                Box::new(kube::host::KubeHost::new(runtime, weak.clone(), addr.ip())),
            )
        });
        shared
            .with_state(|state| {
                state.strict = config.strict;
                match &saved {
                    Some(saved) => persistence::restore(state, saved),
                    None => Ok(()),
                }
            })
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let (shutdown, receiver) = watch::channel(false);
        tokio::spawn(server::ticker(Arc::downgrade(&shared), receiver.clone()));
        let task = tokio::spawn(server::accept_loop(listener, shared.clone(), receiver));
        Ok(Emulator {
            shared,
            addr,
            shutdown,
            task: Mutex::new(Some(task)),
        })
    }

    /// `http://HOST:PORT`; a wildcard bind address is given as loopback so clients can use it.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", authority(self.addr))
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token controls from other hosts need (`x-eksy-control-token`), when the emulator
    /// is bound beyond loopback; None on loopback.
    pub fn control_token(&self) -> Option<&str> {
        self.shared.control_token.as_deref()
    }

    /// One JSON entry point for every testing control (see the crate documentation).
    pub fn control(&self, command: &str, args: Value) -> Result<Value, String> {
        self.shared.control(command, &args)
    }

    /// Stops accepting, closes connections, frees the port; idempotent; returns when the
    /// listener is closed.
    pub async fn stop(&self) {
        let _ = self.shutdown.send(true);
        self.shared.save_state();
        let task = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

/// `host:port` clients use for a bound address (loopback for a wildcard bind).
fn authority(addr: SocketAddr) -> String {
    match addr.ip() {
        std::net::IpAddr::V4(v4) if v4.is_unspecified() => format!("127.0.0.1:{}", addr.port()),
        std::net::IpAddr::V6(v6) if v6.is_unspecified() => format!("[::1]:{}", addr.port()),
        _ => addr.to_string(),
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // Without a stop() the accept loop still winds down on the runtime.
        let _ = self.shutdown.send(true);
    }
}

#[cfg(test)]
mod tests;
