//! What the SDK reports about each call while it runs, and the `ResponseMetadata` built from it.
//!
//! One `Observer` interceptor per client counts attempts and notes each attempt's outcome (HTTP
//! status, error code or connection failure) and request id. Per-call state cannot live in the
//! interceptor, which every call of the client shares, so the call's `CallStats` is put in a
//! task-local while its future is polled (the SDK runs interceptors inline, in that poll).
//! The same interceptor adds `eksy/<version>` (and `user_agent_extra`) to the User-Agent header.
//! The metadata itself is `metadata`; the hooks and logger that hear of each call are `hooks`.

mod hooks;
mod metadata;

pub use hooks::Hooks;
pub use metadata::{attach, ResponseMetadata};

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextMut, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

tokio::task_local! {
    static CURRENT: Arc<CallStats>;
}

#[derive(Default)]
struct Stats {
    attempts: u32,
    status: Option<u16>,
    request_id: Option<String>,
    /// The outcome of the latest attempt; it becomes a retry reason if another attempt starts.
    last_outcome: Option<String>,
    retries: Vec<String>,
}

/// One call's attempts, last status and request id, and why each retried attempt failed.
#[derive(Default)]
pub struct CallStats(Mutex<Stats>);

impl CallStats {
    fn lock(&self) -> std::sync::MutexGuard<'_, Stats> {
        match self.0.lock() {
            Ok(guard) => guard,
            // Only plain values are written under the lock; carry on with them.
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Runs `f` (a poll of the call's future) with these stats as the task's current ones.
    pub fn scope<R>(self: &Arc<Self>, f: impl FnOnce() -> R) -> R {
        CURRENT.sync_scope(self.clone(), f)
    }

    pub fn metadata(
        &self,
        service: &'static str,
        operation: &'static str,
        took: Duration,
    ) -> ResponseMetadata {
        let stats = self.lock();
        ResponseMetadata {
            service: Cow::Borrowed(service),
            operation: Cow::Borrowed(operation),
            request_id: stats.request_id.clone(),
            http_status: stats.status,
            attempts: stats.attempts,
            duration: took.as_secs_f64(),
            retries: stats.retries.clone(),
        }
    }
}

fn with_current(f: impl FnOnce(&mut Stats)) {
    // Outside a call's poll (never, for eksy's own requests) there is nothing to record.
    let _ = CURRENT.try_with(|stats| f(&mut stats.lock()));
}

fn header<'a>(response: &'a HttpResponse, name: &str) -> Option<&'a str> {
    response.headers().get(name)
}

/// Why an attempt failed, in a few words: an error code and status, or the connection's fate.
/// Never a body or a message: they may hold what the caller sent.
fn outcome(context: &FinalizerInterceptorContextRef<'_>) -> Option<String> {
    if let Some(response) = context.response() {
        let status = response.status().as_u16();
        let code = header(response, "x-amzn-errortype")
            .map(|c| c.split(':').next().unwrap_or_default().to_owned());
        return Some(match code {
            Some(code) if !code.is_empty() => format!("{code} (HTTP {status})"),
            _ => format!("HTTP {status}"),
        });
    }
    let error = context.output_or_error()?.err()?;
    let reason = if let Some(connector) = error.as_connector_error() {
        if connector.is_timeout() {
            "timeout"
        } else if connector.is_io() {
            "connection error"
        } else {
            "connection dropped"
        }
    } else if error.is_timeout_error() {
        "timeout"
    } else {
        "failed before an answer"
    };
    Some(reason.to_owned())
}

/// The interceptor of every eksy client (see the module docs).
#[derive(Debug)]
pub struct Observer {
    /// Appended to the SDK's User-Agent: `eksy/<version>` and the user's extra, if any.
    user_agent_suffix: String,
}

impl Observer {
    pub fn new(user_agent_extra: Option<&str>) -> Self {
        let mut suffix = format!("eksy/{}", env!("CARGO_PKG_VERSION"));
        if let Some(extra) = user_agent_extra.filter(|e| !e.is_empty()) {
            suffix.push(' ');
            suffix.push_str(extra);
        }
        Observer {
            user_agent_suffix: suffix,
        }
    }
}

impl Intercept for Observer {
    fn name(&self) -> &'static str {
        "eksy::observe::Observer"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        with_current(|stats| {
            stats.attempts += 1;
            if let Some(reason) = stats.last_outcome.take() {
                stats.retries.push(reason);
            }
        });
        Ok(())
    }

    /// After signing: the User-Agent is not signed (SigV4 leaves it out), x-amz-user-agent is.
    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let headers = context.request_mut().headers_mut();
        let agent = match headers.get("user-agent") {
            Some(sdk) => format!("{sdk} {}", self.user_agent_suffix),
            None => self.user_agent_suffix.clone(),
        };
        headers.insert("user-agent", agent);
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let reason = outcome(context);
        let response = context.response();
        let status = response.map(|r| r.status().as_u16());
        let request_id = response.and_then(|r| {
            header(r, "x-amzn-requestid")
                .or_else(|| header(r, "x-amz-request-id"))
                .map(str::to_owned)
        });
        with_current(|stats| {
            stats.last_outcome = reason;
            if status.is_some() {
                stats.status = status;
                stats.request_id = request_id;
            }
        });
        Ok(())
    }
}
