//! One EKS, EKS Auth or STS request: route, authenticate, record, consult the faults, read
//! and validate the input, run the behaviour, write the output; then note the outcome on
//! the recorded request (the page and the `requests` control show it).

use crate::auth::{authenticate, Caller};
use crate::error::AwsError;
use crate::faults::Canned;
use crate::identity::canonical_arn;
use crate::instance::Shared;
use crate::model::{model, Operation, RouteMatch};
use crate::ops::dispatch;
use crate::recording::RecordedRequest;
use crate::service::Ctx;
use crate::state::State;
use crate::sts;
use crate::util::uuid;
use crate::wire::{parse_query, read_input, validate_input, write_output, WireRequest};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::Value;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

/// Requests under this prefix are testing controls, not EKS calls (no auth needed).
pub const CONTROL_PREFIX: &str = "/_eksy/";

/// The largest request body read (EKS requests are small; 8 MiB leaves room for tests).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Returned by the service to make hyper close the connection without answering.
#[derive(Debug)]
pub struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedConnection {}

pub type HttpResponse = Response<Full<Bytes>>;

pub fn json_response(
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

pub fn error_response(request_id: &str, error: &AwsError) -> HttpResponse {
    let headers = [("x-amzn-errortype".to_string(), error.code.clone())];
    json_response(error.status, request_id, &headers, &error.body())
}

/// Account and region pairs with state: more than any test uses, and each costs memory.
pub const MAX_REGION_STATES: usize = 1_000;

/// What the locked first phase of a request decided.
enum Plan {
    Answer(HttpResponse),
    Drop,
    Run {
        op: &'static Operation,
        labels: std::collections::HashMap<String, String>,
        caller: Caller,
        /// Run it, then close the connection without the answer (a lost response).
        lose_response: bool,
    },
}

/// Records a request; its id is for noting the outcome later.
fn record(
    state: &mut State,
    req: &Arc<WireRequest>,
    operation: Option<&'static str>,
    caller: Option<&Caller>,
) -> u64 {
    let now = state.now();
    // A caller that matched no operation or was not authenticated is kept without its body:
    // nobody may fill the emulator's memory without knowing a route and a credential.
    let request = if caller.is_some() {
        Arc::clone(req)
    } else {
        Arc::new(WireRequest {
            body: Bytes::new(),
            ..(**req).clone()
        })
    };
    state.requests.record(RecordedRequest {
        id: 0,
        operation,
        request,
        account: caller.map(|c| c.account.clone()).unwrap_or_default(),
        region: caller.map(|c| c.region.clone()).unwrap_or_default(),
        time: now,
        status: None,
        error_code: None,
    })
}

impl Shared {
    fn plan(&self, req: &Arc<WireRequest>, request_id: &str) -> (f64, u64, Plan) {
        let mut state = self.lock();
        let (op, labels) = match model().route(&req.method, &req.path) {
            RouteMatch::Found(op, labels) => (op, labels),
            unmatched => {
                let id = record(&mut state, req, None, None);
                let what = if matches!(unmatched, RouteMatch::WrongMethod) {
                    format!("{} is not supported on {}", req.method, req.path)
                } else {
                    format!("No operation matches {} {}", req.method, req.path)
                };
                let error = AwsError::new("UnknownOperationException", what);
                return (0.0, id, Plan::Answer(error_response(request_id, &error)));
            }
        };
        let caller = match self.authenticate(&mut state, req) {
            Ok(caller) => caller,
            Err(error) => {
                let id = record(&mut state, req, Some(op.name.as_str()), None);
                return (0.0, id, Plan::Answer(error_response(request_id, &error)));
            }
        };
        let scope = (caller.account.clone(), caller.region.clone());
        if !state.regions.contains_key(&scope) && state.regions.len() >= MAX_REGION_STATES {
            let id = record(&mut state, req, Some(op.name.as_str()), None);
            let error = AwsError::new(
                "ResourceLimitExceededException",
                format!(
                    "the emulator holds state for at most {MAX_REGION_STATES} account and region pairs; \
                     reset it, or use one it already has"
                ),
            );
            return (0.0, id, Plan::Answer(error_response(request_id, &error)));
        }
        let id = record(&mut state, req, Some(op.name.as_str()), Some(&caller));
        let decision = state.faults.decide(&op.name);
        let run = |lose_response| Plan::Run {
            op,
            labels,
            caller,
            lose_response,
        };
        let plan = match decision.canned {
            Some(Canned::Drop) => Plan::Drop,
            Some(Canned::LoseResponse) => run(true),
            Some(Canned::Error(error)) => Plan::Answer(error_response(request_id, &error)),
            Some(Canned::Response {
                status,
                headers,
                body,
            }) => Plan::Answer(json_response(status, request_id, &headers, &body)),
            None => run(false),
        };
        (decision.delay, id, plan)
    }

    /// The caller of a signed request; in strict mode its signature must verify too.
    fn authenticate(&self, state: &mut State, req: &WireRequest) -> Result<Caller, AwsError> {
        let caller = authenticate(req, &self.default_account)?;
        if state.strict {
            let now = state.now();
            crate::auth::verify_signature(req, &caller, &state.identities, now)?;
        }
        Ok(caller)
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
                state.save_pending = true;
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

    /// One STS query call (answers in XML).
    fn sts(
        &self,
        req: &Arc<WireRequest>,
        params: &[(String, String)],
        request_id: &str,
    ) -> Response<Full<Bytes>> {
        let mut state = self.lock();
        let caller = self.authenticate(&mut state, req);
        let id = record(&mut state, req, None, caller.as_ref().ok());
        let answer = match caller {
            Err(error) => sts::error(
                error.status,
                sts::code_for(&error.code),
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
        let code = (answer.status >= 400).then(|| sts::error_code(&answer.body));
        let mut response = Response::new(Full::new(Bytes::from(answer.body)));
        *response.status_mut() =
            hyper::StatusCode::from_u16(answer.status).unwrap_or(hyper::StatusCode::BAD_REQUEST);
        let headers = response.headers_mut();
        headers.insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/xml"),
        );
        if let Ok(value) = hyper::header::HeaderValue::from_str(request_id) {
            headers.insert("x-amzn-requestid", value);
        }
        state.requests.note_outcome(id, answer.status, code);
        response
    }

    /// Notes a response's status and error code on its recorded request.
    fn note_outcome(&self, id: u64, response: &HttpResponse) {
        let status = response.status().as_u16();
        let code = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        self.lock().requests.note_outcome(id, status, code);
    }
}

pub async fn handle(
    shared: Arc<Shared>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<HttpResponse, DroppedConnection> {
    let request_id = uuid();
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            let error = AwsError::new(
                "PayloadTooLargeException",
                format!("Request body is larger than {MAX_BODY_BYTES} bytes"),
            );
            return Ok(error_response(&request_id, &error));
        }
        // A malformed chunked encoding, or a body shorter than its Content-Length.
        Err(_) => {
            let error = AwsError::new(
                "SerializationException",
                "The request body is malformed or was cut off",
            );
            return Ok(error_response(&request_id, &error));
        }
    };
    let wire = Arc::new(WireRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parse_query(parts.uri.query().unwrap_or("")),
        raw_query: parts.uri.query().unwrap_or("").to_string(),
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
    // `GET /` from a browser is the page; from anything else an unknown route, as on AWS.
    let browser_root = wire.path == "/"
        && wire.method == "GET"
        && wire
            .header("accept")
            .is_some_and(|a| a.contains("text/html"));
    if wire.path.starts_with(CONTROL_PREFIX) || browser_root {
        return Ok(shared.control_http(&wire, peer, &request_id));
    }
    if let Some(params) = sts::sts_params(&wire) {
        return Ok(shared.sts(&wire, &params, &request_id));
    }
    let (delay, id, plan) = shared.plan(&wire, &request_id);
    if delay > 0.0 {
        tokio::time::sleep(Duration::from_secs_f64(delay)).await;
    }
    let response = match plan {
        Plan::Answer(response) => response,
        Plan::Drop => return Err(DroppedConnection),
        Plan::Run {
            op,
            labels,
            caller,
            lose_response,
        } => {
            let response = shared.run(&wire, &request_id, op, &labels, &caller);
            if lose_response {
                shared.note_outcome(id, &response);
                return Err(DroppedConnection);
            }
            response
        }
    };
    shared.note_outcome(id, &response);
    Ok(response)
}
