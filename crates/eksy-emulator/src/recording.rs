//! The requests the emulator received, kept for the `requests` control: bounded in count and
//! in body bytes, oldest forgotten first.

use crate::wire::WireRequest;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// A request as recorded for the `requests` control. It shares the received request, so
/// recording costs no copy; the body is parsed only when the control asks for it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Sequence number, to note the outcome on once the response is made.
    pub id: u64,
    /// None when the request matched no operation.
    pub operation: Option<&'static str>,
    pub request: Arc<WireRequest>,
    pub account: String,
    pub region: String,
    pub time: f64,
    /// The answer's HTTP status, once it is known (None for a dropped connection).
    pub status: Option<u16>,
    pub error_code: Option<String>,
}

impl Serialize for RecordedRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let req = &self.request;
        let body = &req.body;
        // The JSON body, or the raw text when it is not JSON, or null when empty.
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
        };
        let headers: BTreeMap<&str, &str> = req
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut map = serializer.serialize_map(Some(11))?;
        map.serialize_entry("operation", &self.operation)?;
        map.serialize_entry("method", &req.method)?;
        map.serialize_entry("path", &req.path)?;
        map.serialize_entry("query", &req.query)?;
        map.serialize_entry("headers", &headers)?;
        map.serialize_entry("body", &body)?;
        map.serialize_entry("account", &self.account)?;
        map.serialize_entry("region", &self.region)?;
        map.serialize_entry("time", &self.time)?;
        map.serialize_entry("status", &self.status)?;
        map.serialize_entry("error_code", &self.error_code)?;
        map.end()
    }
}

/// The most requests kept for the `requests` control; older ones are forgotten first, so
/// a long-running emulator does not grow without bound.
pub const MAX_RECORDED_REQUESTS: usize = 10_000;
/// The most body bytes kept across recorded requests (oldest forgotten first): at the 8 MiB
/// body limit, a few hundred big requests would otherwise hold gigabytes.
pub const MAX_RECORDED_BYTES: usize = 64 * 1024 * 1024;

/// The recorded requests, oldest first.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: VecDeque<RecordedRequest>,
    /// Body bytes held by `requests`.
    recorded_bytes: usize,
    next_request_id: u64,
}

impl RequestLog {
    /// The recorded requests, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &RecordedRequest> {
        self.entries.iter()
    }

    /// Keeps a request for the `requests` control; returns its id.
    pub fn record(&mut self, mut request: RecordedRequest) -> u64 {
        self.next_request_id += 1;
        request.id = self.next_request_id;
        let size = request.request.body.len();
        while !self.entries.is_empty()
            && (self.entries.len() >= MAX_RECORDED_REQUESTS
                || self.recorded_bytes + size > MAX_RECORDED_BYTES)
        {
            if let Some(old) = self.entries.pop_front() {
                self.recorded_bytes -= old.request.body.len();
            }
        }
        self.recorded_bytes += size;
        self.entries.push_back(request);
        self.next_request_id
    }

    /// Forgets every recorded request and gives their memory back.
    pub fn clear(&mut self) {
        self.entries = VecDeque::new();
        self.recorded_bytes = 0;
    }

    /// Notes the answer of a recorded request (searched from the newest: it is near the end).
    pub fn note_outcome(&mut self, id: u64, status: u16, error_code: Option<String>) {
        if let Some(request) = self.entries.iter_mut().rev().find(|r| r.id == id) {
            request.status = Some(status);
            request.error_code = error_code;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recording_keeps_the_most_recent_requests() {
        let mut state = RequestLog::default();
        for i in 0..MAX_RECORDED_REQUESTS + 5 {
            state.record(RecordedRequest {
                id: 0,
                status: None,
                error_code: None,
                operation: None,
                request: Arc::new(WireRequest {
                    path: format!("/{i}"),
                    ..WireRequest::default()
                }),
                account: String::new(),
                region: String::new(),
                time: 0.0,
            });
        }
        assert_eq!(state.entries.len(), MAX_RECORDED_REQUESTS);
        assert_eq!(state.entries[0].request.path, "/5");
        let shown = serde_json::to_value(&state.entries[0]).unwrap();
        assert_eq!(shown["path"], "/5");
        assert_eq!(shown["body"], Value::Null);
    }
}
