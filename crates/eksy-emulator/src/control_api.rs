//! The emulator's own HTTP surface beside the AWS APIs: `GET /_eksy/health`, the testing
//! controls at `POST /_eksy/control/<command>`, and the page at `GET /` (or `/_eksy/`).
//!
//! Guards, so that a web page the user visits cannot drive a local emulator: the Host header
//! must name the emulator (against DNS rebinding); controls must be POSTs with a JSON
//! content type (a plain `<img>` or form cannot send that without CORS) and carry no browser
//! `Origin`; and when the emulator is bound beyond loopback, a control from another host
//! must carry the token the emulator printed at start (`x-eksy-control-token`).

use crate::error::AwsError;
use crate::instance::Shared;
use crate::pipeline::{error_response, json_response, HttpResponse, CONTROL_PREFIX};
use crate::wire::WireRequest;
use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use serde_json::Value;
use std::net::SocketAddr;

pub const CONTROL_TOKEN_HEADER: &str = "x-eksy-control-token";

fn refused(request_id: &str, status: u16, message: impl Into<String>) -> HttpResponse {
    error_response(
        request_id,
        &AwsError::new("InvalidControlException", message).with_status(status),
    )
}

impl Shared {
    /// Whether the Host header names this emulator (its address, or localhost, with its port).
    fn host_is_ours(&self, req: &WireRequest) -> bool {
        let Some(host) = req.header("host") else {
            return false;
        };
        let port = self.authority.rsplit(':').next().unwrap_or("");
        host == self.authority
            || ["localhost", "127.0.0.1", "[::1]", self.bind_host.as_str()]
                .iter()
                .any(|name| host == format!("{name}:{port}"))
    }

    pub(crate) fn control_http(
        &self,
        req: &WireRequest,
        peer: SocketAddr,
        request_id: &str,
    ) -> HttpResponse {
        if !self.host_is_ours(req) {
            return refused(
                request_id,
                403,
                format!(
                    "the Host header must name this emulator ({}); got {:?}",
                    self.authority,
                    req.header("host").unwrap_or("")
                ),
            );
        }
        let rest = req.path.strip_prefix(CONTROL_PREFIX).unwrap_or("");
        if rest == "health" {
            return json_response(200, request_id, &[], &serde_json::json!({"status": "ok"}));
        }
        if req.method == "GET" && (req.path == "/" || rest.is_empty()) {
            return self.page(request_id);
        }
        let Some(command) = rest.strip_prefix("control/").filter(|c| !c.is_empty()) else {
            let error = AwsError::new(
                "UnknownOperationException",
                format!("No control at {}", req.path),
            );
            return error_response(request_id, &error);
        };
        if req.method != "POST" {
            return refused(request_id, 405, "controls accept only POST");
        }
        let json = req
            .header("content-type")
            .is_some_and(|t| t.trim_start().starts_with("application/json"));
        if !json {
            return refused(
                request_id,
                415,
                "controls need Content-Type: application/json",
            );
        }
        if req.header("origin").is_some() {
            return refused(
                request_id,
                403,
                "controls are refused from web pages (the request carries an Origin header)",
            );
        }
        if !peer.ip().is_loopback() {
            let token = req.header(CONTROL_TOKEN_HEADER);
            if self
                .control_token
                .as_deref()
                .is_none_or(|t| Some(t) != token)
            {
                return refused(
                    request_id,
                    403,
                    format!("controls from another host need the {CONTROL_TOKEN_HEADER} header the emulator printed at start"),
                );
            }
        }
        let args = if req.body.iter().all(u8::is_ascii_whitespace) {
            Ok(Value::Object(Default::default()))
        } else {
            serde_json::from_slice::<Value>(&req.body)
                .map_err(|e| format!("control body is not JSON: {e}"))
        };
        match args.and_then(|args| self.control(command, &args)) {
            Ok(result) => json_response(200, request_id, &[], &result),
            Err(message) => refused(request_id, 400, message),
        }
    }

    fn page(&self, request_id: &str) -> HttpResponse {
        let overview = self
            .control("overview", &Value::Object(Default::default()))
            .unwrap_or(Value::Null);
        let html = crate::page::render(&overview);
        let mut response = Response::new(Full::new(Bytes::from(html)));
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response.headers_mut().insert(
            hyper::header::CACHE_CONTROL,
            hyper::header::HeaderValue::from_static("no-store"),
        );
        if let Ok(id) = hyper::header::HeaderValue::from_str(request_id) {
            response.headers_mut().insert("x-amzn-requestid", id);
        }
        response
    }
}
