//! One SDK request as a boxed future, and the errors it can end with.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use pyo3::prelude::*;

use crate::conv::ToPy;
use crate::observe::CallStats;
use crate::py_errors::{self, CallFailure};

pub type BoxedOutput = Box<dyn ToPy + Send>;
type Request = Pin<Box<dyn Future<Output = Result<BoxedOutput, CallError>> + Send>>;

/// Erases an operation's output and error types so sync and async share one path.
pub fn boxed_call<O, E, F>(operation: &'static str, request: F) -> OpFuture
where
    F: Future<Output = Result<O, SdkError<E, HttpResponse>>> + Send + 'static,
    O: ToPy + Send + 'static,
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    OpFuture::new(
        operation,
        Box::pin(async move {
            match request.await {
                Ok(output) => Ok(Box::new(output) as BoxedOutput),
                Err(err) => Err(CallError::from_sdk(operation, err)),
            }
        }),
    )
}

/// One call: its SDK request, and what the SDK reports about it while it runs (attempts, status,
/// request id, retries, gathered by `observe::Observer` through a task-local). A panic (in the
/// SDK, or in eksy) ends it with an `InternalError` instead of unwinding into Python.
pub struct OpFuture {
    operation: &'static str,
    started: Instant,
    took: Option<Duration>,
    stats: Arc<CallStats>,
    /// Dropped after a panic: a future that panicked must not be polled again.
    inner: Option<Request>,
}

impl OpFuture {
    pub fn new(operation: &'static str, inner: Request) -> Self {
        OpFuture {
            operation,
            started: Instant::now(),
            took: None,
            stats: Arc::default(),
            inner: Some(inner),
        }
    }

    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// What is known of the call so far (all of it once it has finished).
    pub fn metadata(&self, service: &'static str) -> crate::observe::ResponseMetadata {
        let took = self.took.unwrap_or_else(|| self.started.elapsed());
        self.stats.metadata(service, self.operation, took)
    }
}

impl Future for OpFuture {
    type Output = Result<BoxedOutput, CallError>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let operation = self.operation;
        let stats = self.stats.clone();
        let Some(inner) = self.inner.as_mut() else {
            return std::task::Poll::Ready(Err(CallError::local(
                CallKind::Internal,
                operation,
                "the request was polled after it had failed".to_owned(),
            )));
        };
        let polled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            stats.scope(|| inner.as_mut().poll(cx))
        }));
        let poll = match polled {
            Ok(poll) => poll,
            Err(payload) => {
                self.inner = None;
                std::task::Poll::Ready(Err(CallError::panicked(operation, payload.as_ref())))
            }
        };
        if poll.is_ready() {
            self.took = Some(self.started.elapsed());
        }
        poll
    }
}

/// The message of a panic's payload (`panic!` makes a `&str` or a `String`).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_owned()
    }
}

#[derive(Debug)]
pub enum CallKind {
    Service,
    NoCredentials,
    Connection,
    Timeout,
    /// A success status whose body could not be read.
    Parse,
    /// Cut at a waiter's deadline.
    Deadline,
    /// A panic, caught before it reached Python.
    Internal,
    Other,
}

impl CallKind {
    fn as_str(&self) -> &'static str {
        match self {
            CallKind::Service => "service",
            CallKind::NoCredentials => "no_credentials",
            CallKind::Connection => "connection",
            CallKind::Timeout => "timeout",
            CallKind::Parse => "parse",
            CallKind::Deadline => "deadline",
            CallKind::Internal => "internal",
            CallKind::Other => "other",
        }
    }
}

/// Everything Python needs to raise the right `eksy` exception; built without the GIL.
#[derive(Debug)]
pub struct CallError {
    pub kind: CallKind,
    pub operation: &'static str,
    pub code: Option<String>,
    pub message: String,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    /// The JSON error body, whose modeled members become exception attributes.
    pub body: Option<String>,
}

impl CallError {
    pub fn panicked(operation: &'static str, payload: &(dyn std::any::Any + Send)) -> Self {
        Self::local(CallKind::Internal, operation, panic_message(payload))
    }

    pub fn local(kind: CallKind, operation: &'static str, message: String) -> Self {
        CallError {
            kind,
            operation,
            code: None,
            message,
            status: None,
            request_id: None,
            body: None,
        }
    }

    pub fn from_sdk<E>(operation: &'static str, err: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        if let Some(reason) = credentials_error(&err) {
            return Self::local(CallKind::NoCredentials, operation, error_chain(reason));
        }
        match &err {
            SdkError::ServiceError(ctx) if ctx.raw().status().is_success() => {
                // The SDK reports a success it could not deserialize as an unmodeled error.
                let raw = ctx.raw();
                let mut error = Self::local(CallKind::Parse, operation, error_chain(ctx.err()));
                error.status = Some(raw.status().as_u16());
                error.request_id = request_id(raw);
                error
            }
            SdkError::ServiceError(ctx) => {
                let raw = ctx.raw();
                let header = |name: &str| raw.headers().get(name).map(str::to_owned);
                let service_err = ctx.err();
                let code = service_err.code().map(str::to_owned).or_else(|| {
                    header("x-amzn-errortype")
                        .map(|c| c.split(':').next().unwrap_or_default().to_owned())
                });
                CallError {
                    kind: CallKind::Service,
                    operation,
                    code,
                    message: service_err.message().unwrap_or_default().to_owned(),
                    status: Some(raw.status().as_u16()),
                    request_id: request_id(raw),
                    body: raw
                        .body()
                        .bytes()
                        .and_then(|b| std::str::from_utf8(b).ok())
                        .map(str::to_owned),
                }
            }
            SdkError::TimeoutError(_) => {
                Self::local(CallKind::Timeout, operation, error_chain(&err))
            }
            SdkError::DispatchFailure(failure) => {
                // I/O failures and dropped connections (the connector's "other" kind, e.g. a
                // response cut short) are both the endpoint's fault: transient to a caller.
                let kind = if failure.is_timeout() {
                    CallKind::Timeout
                } else if failure.is_user() {
                    CallKind::Other
                } else {
                    CallKind::Connection
                };
                Self::local(kind, operation, error_chain(&err))
            }
            SdkError::ResponseError(ctx) => {
                let raw = ctx.raw();
                let kind = if raw.status().is_success() {
                    CallKind::Parse
                } else {
                    CallKind::Other
                };
                let mut error = Self::local(kind, operation, error_chain(&err));
                error.status = Some(raw.status().as_u16());
                error.request_id = request_id(raw);
                error
            }
            _ => Self::local(CallKind::Other, operation, error_chain(&err)),
        }
    }

    pub fn into_pyerr(self, py: Python<'_>) -> PyErr {
        py_errors::call_error(
            py,
            CallFailure {
                kind: self.kind.as_str(),
                operation: self.operation,
                code: self.code.as_deref(),
                message: &self.message,
                status: self.status,
                request_id: self.request_id.as_deref(),
                body: self.body.as_deref(),
            },
        )
    }
}

fn request_id(raw: &HttpResponse) -> Option<String> {
    let headers = raw.headers();
    headers
        .get("x-amzn-requestid")
        .or_else(|| headers.get("x-amz-request-id"))
        .map(str::to_owned)
}

/// The messages of an error and its sources, joined; unlike the SDK's display helper it leaves
/// out the Debug dump, which is noise to a Python user.
pub(crate) fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// The credential provider's error in `err`'s chain: the reason no credentials were found.
fn credentials_error<'e>(
    err: &'e (dyn StdError + 'static),
) -> Option<&'e (dyn StdError + 'static)> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
            .is_some()
        {
            return Some(e);
        }
        current = e.source();
    }
    None
}
