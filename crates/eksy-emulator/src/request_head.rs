//! The first request head of a connection, read and checked before hyper sees it, so that a
//! malformed request line, an over-long URI or too many or too large headers get an AWS-style
//! answer (JSON body, `x-amzn-requestid`, `x-amzn-errortype`) instead of hyper's empty one.
//! Later requests on a kept-alive connection are parsed by hyper alone.

use crate::error::AwsError;
use bytes::{Bytes, BytesMut};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

/// The most bytes a request head may take (request line and headers): far above any SDK's.
pub const MAX_HEAD_BYTES: usize = 128 * 1024;
/// The most headers a request may carry.
pub const MAX_HEADERS: usize = 100;
/// The longest request target: the `http` crate's (and so hyper's and the SDKs') limit.
pub const MAX_URI_BYTES: usize = 65_534;

/// What reading the first head gave.
pub enum FirstHead {
    /// A well-formed head: these bytes (and any body bytes read with it) go to hyper first.
    Valid(Bytes),
    /// The client closed before sending a request.
    Closed,
    /// Answered and done: the connection is to be closed.
    Refused,
}

fn end_of_head(buffer: &[u8]) -> Option<usize> {
    buffer.windows(4).position(|w| w == b"\r\n\r\n")
}

fn refusal(head: &[u8], over_limit: bool) -> Option<AwsError> {
    if over_limit {
        return Some(
            AwsError::new(
                "BadRequestException",
                format!("The request head is larger than {MAX_HEAD_BYTES} bytes"),
            )
            .with_status(431),
        );
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(head) {
        Ok(_) => match request.path {
            Some(path) if path.len() > MAX_URI_BYTES => Some(
                AwsError::new(
                    "BadRequestException",
                    format!("The request URI is longer than {MAX_URI_BYTES} bytes"),
                )
                .with_status(414),
            ),
            _ => None,
        },
        Err(httparse::Error::TooManyHeaders) => Some(
            AwsError::new(
                "BadRequestException",
                format!("The request has more than {MAX_HEADERS} headers"),
            )
            .with_status(431),
        ),
        Err(error) => Some(AwsError::new(
            "BadRequestException",
            format!("Malformed HTTP request: {error}"),
        )),
    }
}

fn response_bytes(error: &AwsError, request_id: &str) -> Vec<u8> {
    let body = error.body().to_string();
    let reason = match error.status {
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        _ => "Bad Request",
    };
    format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: application/json\r\nx-amzn-requestid: {request_id}\r\n\
         x-amzn-errortype: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        error.status,
        error.code,
        body.len()
    )
    .into_bytes()
}

/// Answers a refused head and closes as HTTP servers do ("lingering close"): the write side
/// first, then what the client still sends is read and dropped for a moment, so that closing
/// with unread bytes does not reset the connection before the client has read the answer.
async fn refuse<S>(stream: &mut S, error: &AwsError, request_id: &str) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    stream.write_all(&response_bytes(error, request_id)).await?;
    let _ = stream.shutdown().await;
    let drain = async {
        let mut scratch = vec![0u8; 64 * 1024];
        let mut left = LINGER_BYTES;
        while left > 0 {
            match stream.read(&mut scratch).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    };
    let _ = tokio::time::timeout(LINGER, drain).await;
    Ok(())
}

/// How long, and how much, a refused client's remaining bytes are read before closing.
const LINGER: std::time::Duration = std::time::Duration::from_secs(2);
const LINGER_BYTES: usize = 16 * 1024 * 1024;

/// Reads until the end of the first head (or the limit), and answers a bad one itself.
pub async fn read_first_head<S>(stream: &mut S, request_id: &str) -> io::Result<FirstHead>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut buffer = BytesMut::with_capacity(4096);
    loop {
        if let Some(end) = end_of_head(&buffer) {
            let head_len = end + 4;
            if let Some(error) = refusal(&buffer[..head_len], false) {
                refuse(stream, &error, request_id).await?;
                return Ok(FirstHead::Refused);
            }
            return Ok(FirstHead::Valid(buffer.freeze()));
        }
        if buffer.len() > MAX_HEAD_BYTES {
            if let Some(error) = refusal(&buffer, true) {
                refuse(stream, &error, request_id).await?;
            }
            return Ok(FirstHead::Refused);
        }
        if stream.read_buf(&mut buffer).await? == 0 {
            return Ok(if buffer.is_empty() {
                FirstHead::Closed
            } else if let Some(error) = refusal(&buffer, false) {
                // Cut off mid-head: answer if the part seen is already malformed.
                let _ = stream.write_all(&response_bytes(&error, request_id)).await;
                FirstHead::Refused
            } else {
                FirstHead::Closed
            });
        }
    }
}

/// A stream that yields `prefix` before the rest of `inner` (the bytes read for the check).
pub struct Rewind<S> {
    prefix: Bytes,
    inner: S,
}

impl<S> Rewind<S> {
    pub fn new(prefix: Bytes, inner: S) -> Rewind<S> {
        Rewind { prefix, inner }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Rewind<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.prefix.is_empty() {
            let n = self.prefix.len().min(buf.remaining());
            let chunk = self.prefix.split_to(n);
            buf.put_slice(&chunk);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Rewind<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_head_passes_and_bad_ones_get_their_status() {
        assert!(refusal(b"GET /clusters HTTP/1.1\r\nHost: x\r\n\r\n", false).is_none());
        assert_eq!(
            refusal(b"GARBAGE\r\n\r\n", false).map(|e| e.status),
            Some(400)
        );
        let long = format!(
            "GET /{} HTTP/1.1\r\nHost: x\r\n\r\n",
            "a".repeat(MAX_URI_BYTES)
        );
        assert_eq!(refusal(long.as_bytes(), false).map(|e| e.status), Some(414));
        let many: String = (0..=MAX_HEADERS).map(|i| format!("h{i}: v\r\n")).collect();
        let head = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(refusal(head.as_bytes(), false).map(|e| e.status), Some(431));
        assert_eq!(refusal(b"", true).map(|e| e.status), Some(431));
    }
}
