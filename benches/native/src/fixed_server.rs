//! The floor for the emulator's server CPU per request: a minimal hyper server that answers
//! each route with bytes recorded from `eksy local` (status, headers and body), doing no other
//! work. It is set up as `eksy local` serves: HTTP/1 on hyper, one tokio multi-thread runtime,
//! TCP_NODELAY on every accepted connection.
//!
//! Usage: eksy-bench-fixed-server [--port N] RESPONSES.json
//!
//! RESPONSES.json: `{"/clusters/bench": {"status": 200, "headers": [["content-type", "..."]],
//! "body": "..."}, ...}`, keyed by request path (the query is ignored); any other path gets 404.
//! Prints `eksy-bench-fixed-server listening on http://127.0.0.1:PORT`, then serves until killed.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

struct Recorded {
    status: StatusCode,
    headers: Vec<(hyper::header::HeaderName, hyper::header::HeaderValue)>,
    body: Bytes,
}

fn usage() -> ! {
    eprintln!("usage: eksy-bench-fixed-server [--port N] RESPONSES.json");
    std::process::exit(2)
}

fn load(path: &str) -> Result<HashMap<String, Recorded>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let routes: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let mut out = HashMap::new();
    for (route, spec) in routes {
        let status = spec["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .ok_or_else(|| format!("{route}: bad status"))?;
        let mut headers = Vec::new();
        for pair in spec["headers"].as_array().into_iter().flatten() {
            let (Some(name), Some(value)) = (pair[0].as_str(), pair[1].as_str()) else {
                return Err(format!("{route}: headers must be [name, value] pairs"));
            };
            // hyper writes these itself for a sized body; hop-by-hop headers belong to the
            // recording's connection (a replayed `connection: close` would end every one).
            if [
                "content-length",
                "date",
                "connection",
                "keep-alive",
                "transfer-encoding",
            ]
            .iter()
            .any(|skip| name.eq_ignore_ascii_case(skip))
            {
                continue;
            }
            headers.push((
                name.parse().map_err(|e| format!("{route}: {name}: {e}"))?,
                value.parse().map_err(|e| format!("{route}: {name}: {e}"))?,
            ));
        }
        let body = spec["body"]
            .as_str()
            .ok_or_else(|| format!("{route}: body must be a string"))?;
        out.insert(
            route,
            Recorded {
                status,
                headers,
                body: Bytes::from(body.to_owned()),
            },
        );
    }
    Ok(out)
}

async fn answer(
    routes: Arc<HashMap<String, Recorded>>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let Some(recorded) = routes.get(req.uri().path()) else {
        let mut missing = Response::new(Full::new(Bytes::new()));
        *missing.status_mut() = StatusCode::NOT_FOUND;
        return Ok(missing);
    };
    let mut response = Response::new(Full::new(recorded.body.clone()));
    *response.status_mut() = recorded.status;
    let headers = response.headers_mut();
    for (name, value) in &recorded.headers {
        headers.append(name.clone(), value.clone());
    }
    Ok(response)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut port = 0u16;
    let mut file = None;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--port" {
            port = args
                .get(i + 1)
                .and_then(|p| p.parse().ok())
                .unwrap_or_else(|| usage());
            i += 2;
        } else {
            file = Some(args[i].clone());
            i += 1;
        }
    }
    let file = file.unwrap_or_else(|| usage());
    let routes = match load(&file) {
        Ok(routes) => Arc::new(routes),
        Err(e) => {
            eprintln!("eksy-bench-fixed-server: {e}");
            std::process::exit(2)
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("eksy-bench-fixed-server: cannot start a runtime: {e}");
            std::process::exit(1)
        }
    };
    rt.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("eksy-bench-fixed-server: cannot listen on port {port}: {e}");
                std::process::exit(1)
            }
        };
        let addr = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => {
                eprintln!("eksy-bench-fixed-server: {e}");
                std::process::exit(1)
            }
        };
        println!("eksy-bench-fixed-server listening on http://{addr}");
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                continue;
            };
            let _ = stream.set_nodelay(true);
            let routes = routes.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| answer(routes.clone(), req));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}
