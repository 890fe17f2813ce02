//! A request as the wire layer sees it.

use percent_encoding::percent_decode_str;

/// A request as received, reduced to what the wire layer needs.
#[derive(Debug, Clone, Default)]
pub struct WireRequest {
    pub method: String,
    pub path: String,
    /// Decoded `(name, value)` pairs in order.
    pub query: Vec<(String, String)>,
    /// The query string as received (signatures are computed over it).
    pub raw_query: String,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: bytes::Bytes,
}

impl WireRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn query_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.query
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
            (decode(k), decode(v))
        })
        .collect()
}
