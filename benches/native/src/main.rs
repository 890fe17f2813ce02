//! Native Rust SDK baseline for the eksy benchmark harness.
//!
//! Uses `aws-sdk-eks` directly (no Python anywhere) against a local endpoint, so
//! `benches/run.py` can compare eksy with the floor it is built on.
//!
//! Usage:
//!   eksy-bench-native [--endpoint URL] [--cluster NAME] sequential N
//!   eksy-bench-native [--endpoint URL] [--cluster NAME] concurrent N INFLIGHT [describe|list]
//!   eksy-bench-native [--endpoint URL] list [REPEAT] [PAGE_SIZE]
//!
//! The endpoint defaults to `$EKSY_BENCH_ENDPOINT`, the cluster name to
//! `$EKSY_BENCH_CLUSTER` (else `bench`). Credentials are static test credentials,
//! region us-west-2. Every mode prints exactly one JSON object on stdout.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_sdk_eks::Client;

fn usage() -> ! {
    eprintln!(
        "usage: eksy-bench-native [--endpoint URL] [--cluster NAME] \
         (sequential N | concurrent N INFLIGHT [describe|list] | list [REPEAT] [PAGE_SIZE])"
    );
    std::process::exit(2)
}

fn parse<T: std::str::FromStr>(s: Option<&String>, default: Option<T>) -> T {
    match s {
        Some(v) => v.parse().unwrap_or_else(|_| usage()),
        None => default.unwrap_or_else(|| usage()),
    }
}

async fn client(endpoint: &str) -> Client {
    let conf = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "bench"))
        .endpoint_url(endpoint)
        .load()
        .await;
    Client::new(&conf)
}

/// User + system CPU seconds of this process so far (every thread).
fn cpu_s() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn median_us(mut v: Vec<Duration>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort();
    let n = v.len();
    let mid = if n % 2 == 1 {
        v[n / 2].as_secs_f64()
    } else {
        (v[n / 2 - 1].as_secs_f64() + v[n / 2].as_secs_f64()) / 2.0
    };
    mid * 1e6
}

fn pct_us(v: &mut [Duration], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort();
    let idx = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[idx].as_secs_f64() * 1e6
}

async fn describe(c: &Client, name: &str) {
    c.describe_cluster()
        .name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("describe_cluster failed: {e:?}"));
}

async fn list_page(c: &Client, page_size: i32) {
    c.list_clusters()
        .max_results(page_size)
        .send()
        .await
        .unwrap_or_else(|e| panic!("list_clusters failed: {e:?}"));
}

async fn sequential(c: Client, name: String, n: usize) {
    for _ in 0..n.clamp(1, 50) {
        describe(&c, &name).await; // warm the connection pool
    }
    let mut per = Vec::with_capacity(n);
    let cpu0 = cpu_s();
    let t0 = Instant::now();
    for _ in 0..n {
        let s = Instant::now();
        describe(&c, &name).await;
        per.push(s.elapsed());
    }
    let total = t0.elapsed().as_secs_f64();
    let cpu_us = (cpu_s() - cpu0) / n.max(1) as f64 * 1e6;
    let mut p = per.clone();
    let p99 = pct_us(&mut p, 0.99);
    println!(
        "{{\"mode\":\"sequential\",\"calls\":{n},\"total_s\":{total:.6},\"calls_per_s\":{:.2},\"median_us\":{:.2},\"p99_us\":{p99:.2},\"cpu_us_per_call\":{cpu_us:.2}}}",
        n as f64 / total,
        median_us(per)
    );
}

async fn concurrent(c: Client, name: String, n: usize, inflight: usize, op: String) {
    let list = match op.as_str() {
        "describe" => false,
        "list" => true,
        _ => usage(),
    };
    let inflight = inflight.max(1);
    // Warm: one round of `inflight` concurrent calls opens the pooled connections.
    let mut warm = Vec::new();
    for _ in 0..inflight {
        let c = c.clone();
        let name = name.clone();
        warm.push(tokio::spawn(async move {
            if list {
                list_page(&c, 100).await
            } else {
                describe(&c, &name).await
            }
        }));
    }
    for w in warm {
        w.await.unwrap();
    }
    let next = Arc::new(AtomicUsize::new(0));
    let cpu0 = cpu_s();
    let t0 = Instant::now();
    let mut workers = Vec::with_capacity(inflight);
    for _ in 0..inflight {
        let c = c.clone();
        let name = name.clone();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let s = Instant::now();
                if list {
                    list_page(&c, 100).await
                } else {
                    describe(&c, &name).await
                }
                lat.push(s.elapsed());
            }
            lat
        }));
    }
    let mut lat = Vec::with_capacity(n);
    for w in workers {
        lat.extend(w.await.unwrap());
    }
    let total = t0.elapsed().as_secs_f64();
    let cpu_us = (cpu_s() - cpu0) / n.max(1) as f64 * 1e6;
    println!(
        "{{\"mode\":\"concurrent\",\"op\":\"{op}\",\"calls\":{n},\"inflight\":{inflight},\"total_s\":{total:.6},\"calls_per_s\":{:.2},\"median_us\":{:.2},\"cpu_us_per_call\":{cpu_us:.2}}}",
        n as f64 / total,
        median_us(lat)
    );
}

async fn list_all(c: Client, repeat: usize, page_size: i32) {
    let run = |c: Client| async move {
        let mut token: Option<String> = None;
        let mut clusters = 0usize;
        let mut pages = 0usize;
        loop {
            let out = c
                .list_clusters()
                .max_results(page_size)
                .set_next_token(token.take())
                .send()
                .await
                .unwrap_or_else(|e| panic!("list_clusters failed: {e:?}"));
            pages += 1;
            clusters += out.clusters().len();
            match out.next_token() {
                Some(t) if !t.is_empty() && pages < 100_000 => token = Some(t.to_string()),
                _ => break,
            }
        }
        (clusters, pages)
    };
    let (clusters, pages) = run(c.clone()).await; // warm
    let mut per = Vec::with_capacity(repeat);
    for _ in 0..repeat {
        let s = Instant::now();
        let got = run(c.clone()).await;
        per.push(s.elapsed());
        assert_eq!(got.0, clusters, "cluster count changed between listings");
    }
    println!(
        "{{\"mode\":\"list\",\"repeat\":{repeat},\"clusters\":{clusters},\"pages\":{pages},\"median_us\":{:.2}}}",
        median_us(per)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut endpoint = std::env::var("EKSY_BENCH_ENDPOINT").ok();
    let mut cluster = std::env::var("EKSY_BENCH_CLUSTER").unwrap_or_else(|_| "bench".into());
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--endpoint" => {
                endpoint = Some(args.get(i + 1).cloned().unwrap_or_else(|| usage()));
                i += 2;
            }
            "--cluster" => {
                cluster = args.get(i + 1).cloned().unwrap_or_else(|| usage());
                i += 2;
            }
            _ => {
                rest.push(args[i].clone());
                i += 1;
            }
        }
    }
    let endpoint = endpoint.unwrap_or_else(|| usage());
    let mode = rest.first().cloned().unwrap_or_else(|| usage());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async move {
        let c = client(&endpoint).await;
        match mode.as_str() {
            "sequential" => sequential(c, cluster, parse(rest.get(1), None)).await,
            "concurrent" => {
                let n = parse(rest.get(1), None);
                let inflight = parse(rest.get(2), Some(64));
                let op = rest.get(3).cloned().unwrap_or_else(|| "describe".into());
                concurrent(c, cluster, n, inflight, op).await
            }
            "list" => {
                list_all(
                    c,
                    parse(rest.get(1), Some(5)),
                    parse(rest.get(2), Some(100)),
                )
                .await
            }
            _ => usage(),
        }
    });
}
