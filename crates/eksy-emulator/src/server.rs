//! The HTTP server: accept loop, per-request pipeline (route → authenticate → record →
//! faults → read and validate input → behaviour → output), and the control API.

use crate::auth::{authenticate, Caller};
use crate::controls::{self, Defaults};
use crate::error::AwsError;
use crate::faults::Canned;
use crate::identity::{canonical_arn, Identities};
use crate::kube::host::KubeHost;
use crate::model::{model, Operation, RouteMatch};
use crate::ops::dispatch;
use crate::service::Ctx;
use crate::state::{RecordedRequest, State, Timings};
use crate::sts;
use crate::util::uuid;
use crate::wire::{parse_query, read_input, validate_input, write_output, WireRequest};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response};
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
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

pub struct Shared {
    pub default_account: String,
    pub default_region: String,
    pub default_timings: Timings,
    /// `host:port` of this endpoint (tokens presigned for it are accepted, as it serves STS).
    pub authority: String,
    state: Mutex<State>,
}

impl Shared {
    pub fn new(
        default_account: String,
        default_region: String,
        timings: Timings,
        authority: String,
        kube: KubeHost,
    ) -> Shared {
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
        }
    }

    /// The state, recovered even if a handler panicked while holding it.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` with the state locked.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.lock())
    }

    /// One STS query call (answers in XML).
    fn sts(
        &self,
        req: &Arc<WireRequest>,
        params: &[(String, String)],
        request_id: &str,
    ) -> Response<Full<Bytes>> {
        let mut state = self.lock();
        let caller = authenticate(req, &self.default_account);
        record(&mut state, req, None, caller.as_ref().ok());
        let answer = match caller {
            Err(error) => sts::error(
                error.status,
                error.code.trim_end_matches("Exception"),
                &error.message,
                request_id,
            ),
            Ok(caller) => {
                let now = state.now();
                sts::handle(
                    params,
                    &caller,
                    &mut state.identities,
                    &self.default_account,
                    now,
                    request_id,
                )
            }
        };
        let mut response = Response::new(Full::new(Bytes::from(answer.body)));
        *response.status_mut() =
            hyper::StatusCode::from_u16(answer.status).unwrap_or(hyper::StatusCode::BAD_REQUEST);
        let headers = response.headers_mut();
        headers.insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/xml"),
        );
        if let Ok(id) = hyper::header::HeaderValue::from_str(request_id) {
            headers.insert("x-amzn-requestid", id);
        }
        response
    }

    pub fn control(&self, command: &str, args: &Value) -> Result<Value, String> {
        let defaults = Defaults {
            account: &self.default_account,
            region: &self.default_region,
            timings: self.default_timings,
        };
        let mut state = self.lock();
        catch_unwind(AssertUnwindSafe(|| {
            controls::run(&mut state, &defaults, command, args)
        }))
        .unwrap_or_else(|_| Err(format!("control {command} failed unexpectedly")))
    }
}

/// Returned by the service to make hyper close the connection without answering.
#[derive(Debug)]
struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedConnection {}

type HttpResponse = Response<Full<Bytes>>;

fn json_response(
    status: u16,
    request_id: &str,
    headers: &[(String, String)],
    body: &Value,
) -> HttpResponse {
    let mut builder = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-amzn-requestid", request_id);
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    // to_vec writes bytes directly; Display would go through fmt::Write.
    let bytes = Bytes::from(serde_json::to_vec(body).unwrap_or_default());
    // Only an invalid injected header can fail here; fall back to a plain 500.
    builder.body(Full::new(bytes)).unwrap_or_else(|_| {
        let mut fallback = Response::new(Full::new(Bytes::from_static(
            br#"{"message":"eksy emulator: invalid response header"}"#,
        )));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

fn error_response(request_id: &str, error: &AwsError) -> HttpResponse {
    let headers = [("x-amzn-errortype".to_string(), error.code.clone())];
    json_response(error.status, request_id, &headers, &error.body())
}

/// What the locked first phase of a request decided.
enum Plan {
    Answer(HttpResponse),
    Drop,
    Run {
        op: &'static Operation,
        labels: std::collections::HashMap<String, String>,
        caller: Caller,
    },
}

fn record(
    state: &mut State,
    req: &Arc<WireRequest>,
    operation: Option<&'static str>,
    caller: Option<&Caller>,
) {
    let now = state.now();
    state.record(RecordedRequest {
        operation,
        request: Arc::clone(req),
        account: caller.map(|c| c.account.clone()).unwrap_or_default(),
        region: caller.map(|c| c.region.clone()).unwrap_or_default(),
        time: now,
    });
}

impl Shared {
    fn plan(&self, req: &Arc<WireRequest>, request_id: &str) -> (f64, Plan) {
        let mut state = self.lock();
        let (op, labels) = match model().route(&req.method, &req.path) {
            RouteMatch::Found(op, labels) => (op, labels),
            unmatched => {
                record(&mut state, req, None, None);
                let what = if matches!(unmatched, RouteMatch::WrongMethod) {
                    format!("{} is not supported on {}", req.method, req.path)
                } else {
                    format!("No operation matches {} {}", req.method, req.path)
                };
                let error = AwsError::new("UnknownOperationException", what);
                return (0.0, Plan::Answer(error_response(request_id, &error)));
            }
        };
        let caller = match authenticate(req, &self.default_account) {
            Ok(caller) => caller,
            Err(error) => {
                record(&mut state, req, Some(op.name.as_str()), None);
                return (0.0, Plan::Answer(error_response(request_id, &error)));
            }
        };
        record(&mut state, req, Some(op.name.as_str()), Some(&caller));
        let decision = state.faults.decide(&op.name);
        let plan = match decision.canned {
            Some(Canned::Drop) => Plan::Drop,
            Some(Canned::Error(error)) => Plan::Answer(error_response(request_id, &error)),
            Some(Canned::Response {
                status,
                headers,
                body,
            }) => Plan::Answer(json_response(status, request_id, &headers, &body)),
            None => Plan::Run { op, labels, caller },
        };
        (decision.delay, plan)
    }

    /// Reads, validates and runs one operation; a panic becomes a `ServerException`.
    fn run(
        &self,
        req: &WireRequest,
        request_id: &str,
        op: &'static Operation,
        labels: &std::collections::HashMap<String, String>,
        caller: &Caller,
    ) -> HttpResponse {
        let mut state = self.lock();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let input = read_input(op, labels, req)?;
            validate_input(op, &input)?;
            let timings = state.timings;
            let now = state.now();
            let principal = canonical_arn(
                &state
                    .identities
                    .principal_for(&caller.access_key_id, &self.default_account),
            );
            let mut ctx = Ctx {
                resources: state.region(&caller.account, &caller.region),
                timings,
                now,
                account: &caller.account,
                region: &caller.region,
                principal: &principal,
            };
            let output = dispatch(&mut ctx, op.op, &input);
            if !op.op.read_only() {
                ctx.resources.changed();
            }
            // Open or close Kubernetes endpoints the operation changed.
            state.region(&caller.account, &caller.region);
            output
        }));
        match outcome {
            Ok(Ok(output)) => {
                let out = write_output(op, output);
                json_response(out.status, request_id, &out.headers, &out.body)
            }
            Ok(Err(error)) => error_response(request_id, &error),
            Err(_) => error_response(
                request_id,
                &AwsError::server(format!(
                    "eksy emulator: internal error while handling {}",
                    op.name
                )),
            ),
        }
    }

    fn control_http(&self, req: &WireRequest, request_id: &str) -> HttpResponse {
        let rest = req.path.strip_prefix(CONTROL_PREFIX).unwrap_or("");
        if rest == "health" {
            return json_response(200, request_id, &[], &serde_json::json!({"status": "ok"}));
        }
        let Some(command) = rest.strip_prefix("control/").filter(|c| !c.is_empty()) else {
            let error = AwsError::new(
                "UnknownOperationException",
                format!("No control at {}", req.path),
            );
            return error_response(request_id, &error);
        };
        let args = if req.body.iter().all(u8::is_ascii_whitespace) {
            Ok(Value::Object(Default::default()))
        } else {
            serde_json::from_slice::<Value>(&req.body)
                .map_err(|e| format!("control body is not JSON: {e}"))
        };
        match args.and_then(|args| self.control(command, &args)) {
            Ok(result) => json_response(200, request_id, &[], &result),
            Err(message) => error_response(
                request_id,
                &AwsError::new("InvalidControlException", message).with_status(400),
            ),
        }
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<HttpResponse, DroppedConnection> {
    let request_id = uuid();
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let error = AwsError::new(
                "PayloadTooLargeException",
                "Request body is too large or was cut off",
            );
            return Ok(error_response(&request_id, &error));
        }
    };
    let wire = Arc::new(WireRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parse_query(parts.uri.query().unwrap_or("")),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    });
    if wire.path.starts_with(CONTROL_PREFIX) {
        return Ok(shared.control_http(&wire, &request_id));
    }
    if let Some(params) = sts::sts_params(&wire) {
        return Ok(shared.sts(&wire, &params, &request_id));
    }
    let (delay, plan) = shared.plan(&wire, &request_id);
    if delay > 0.0 {
        tokio::time::sleep(Duration::from_secs_f64(delay)).await;
    }
    match plan {
        Plan::Answer(response) => Ok(response),
        Plan::Drop => Err(DroppedConnection),
        Plan::Run { op, labels, caller } => {
            Ok(shared.run(&wire, &request_id, op, &labels, &caller))
        }
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, shared: Arc<Shared>) {
    let service = hyper::service::service_fn(move |req| handle(shared.clone(), req));
    // Connection errors (client went away, dropped by fault injection) end only this connection.
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Accepts until shutdown, then closes the listener and every open connection.
pub async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(stream, shared.clone()));
                }
                // Out of descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
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
            }
        }
    }
}
