//! End-to-end tests over real HTTP on 127.0.0.1.

use super::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/eks/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";

struct Reply {
    status: u16,
    head: String,
    body: Value,
}

async fn send(addr: SocketAddr, method: &str, path: &str, body: &str, auth: bool) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let auth = if auth {
        format!("Authorization: {AUTH}\r\nX-Amz-Date: 20250101T000000Z\r\n")
    } else {
        String::new()
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    Reply {
        status: head[9..12].parse().unwrap(),
        head: head.to_ascii_lowercase(),
        body: serde_json::from_str(body).unwrap_or(Value::Null),
    }
}

fn fast() -> EmulatorConfig {
    EmulatorConfig {
        timings: Timings::default().merged(&json!({"all": 0})).unwrap(),
        ..EmulatorConfig::default()
    }
}

#[test]
fn emulator_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Emulator>();
}

#[tokio::test]
async fn serves_the_wire_protocol() {
    let emu = Emulator::start(fast()).await.unwrap();
    let addr = emu.local_addr();
    assert_eq!(emu.endpoint_url(), format!("http://{addr}"));
    let created = send(
        addr,
        "POST",
        "/clusters",
        // A role ARN and two subnets, as CreateCluster requires (RULES.md).
        r#"{"name":"a","roleArn":"arn:aws:iam::123456789012:role/eks","resourcesVpcConfig":{"subnetIds":["subnet-1","subnet-2"]}}"#,
        true,
    )
    .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    assert!(created.head.contains("x-amzn-requestid: "));
    assert_eq!(
        created.body["cluster"]["arn"],
        "arn:aws:eks:eu-west-1:123456789012:cluster/a"
    );
    let described = send(addr, "GET", "/clusters/a", "", true).await;
    assert_eq!(described.body["cluster"]["status"], "ACTIVE");
    let missing = send(addr, "GET", "/clusters/b", "", true).await;
    assert_eq!(missing.status, 404);
    assert!(missing
        .head
        .contains("x-amzn-errortype: resourcenotfoundexception"));
    assert_eq!(
        missing.body,
        json!({"message": "No cluster found for name: b.", "clusterName": "b"})
    );
    let unknown = send(addr, "GET", "/nowhere", "", false).await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.head.contains("content-type: application/json"));
    assert!(unknown
        .head
        .contains("x-amzn-errortype: unknownoperationexception"));
    let unauthenticated = send(addr, "GET", "/clusters", "", false).await;
    assert_eq!(unauthenticated.status, 403);
    // Every operation is implemented now: no refresh was started on cluster a.
    let refresh = send(addr, "GET", "/clusters/a/insights-refresh", "", true).await;
    assert_eq!(refresh.status, 404);
    assert_eq!(refresh.body["clusterName"], "a");
    emu.stop().await;
}

#[tokio::test]
async fn control_api_over_http_and_rust() {
    let emu = Emulator::start(fast()).await.unwrap();
    let addr = emu.local_addr();
    let queued = send(
        addr,
        "POST",
        "/_eksy/control/queue",
        r#"{"operation":"ListClusters","error":{"code":"ThrottlingException"}}"#,
        false,
    )
    .await;
    assert_eq!(queued.body, json!({"queued": 1}));
    let throttled = send(addr, "GET", "/clusters", "", true).await;
    assert_eq!(throttled.status, 429);
    assert_eq!(send(addr, "GET", "/clusters", "", true).await.status, 200);
    let bad = send(addr, "POST", "/_eksy/control/nope", "", false).await;
    assert_eq!(bad.status, 400);
    let requests = emu
        .control("requests", json!({"operation": "ListClusters"}))
        .unwrap();
    assert_eq!(requests["requests"].as_array().unwrap().len(), 2);
    assert!(emu.control("advance", json!({"seconds": -1})).is_err());
    emu.stop().await;
}

#[tokio::test]
async fn stop_frees_the_port_and_is_idempotent() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let addr = emu.local_addr();
    // An idle keep-alive connection must not keep the server alive.
    let _idle = TcpStream::connect(addr).await.unwrap();
    emu.stop().await;
    emu.stop().await;
    assert!(TcpStream::connect(addr).await.is_err());
    let again = Emulator::start(EmulatorConfig {
        port: addr.port(),
        ..EmulatorConfig::default()
    })
    .await;
    assert!(again.is_ok());
}
