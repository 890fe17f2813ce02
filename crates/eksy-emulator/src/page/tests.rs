//! The page from overview JSON: escaping, sections, and what it leaves out.

use super::render;
use serde_json::{json, Value};

const NOW: f64 = 1_764_660_000.5;

fn full() -> Value {
    json!({
        "now": NOW,
        "endpoint": "http://127.0.0.1:9566",
        "regions": [{
            "account_id": "123456789012",
            "region": "us-east-1",
            "clusters": [{
                "name": "demo", "status": "CREATING", "version": "1.33", "endpoint": null,
                "pending": {"status": "ACTIVE", "at": NOW + 9.5},
                "nodegroups": [{"name": "ng", "status": "CREATE_FAILED", "desired_size": 3, "pending": null}],
                "fargate_profiles": [{"name": "fp", "status": "DELETING", "pending": {"status": "DELETED", "at": NOW - 1.0}}],
                "addons": [{"name": "vpc-cni", "status": "DEGRADED", "version": "v1.19.0-eksbuild.1", "pending": null}],
                "access_entries": [{"principal_arn": "arn:aws:iam::123456789012:user/testing", "type": "STANDARD",
                                    "policies": ["AmazonEKSClusterAdminPolicy"]}]
            }, {
                "name": "prod", "status": "ACTIVE", "version": "1.32", "endpoint": "https://127.0.0.1:40001",
                "pending": null, "nodegroups": [], "fargate_profiles": [], "addons": [], "access_entries": []
            }],
            "subscriptions": [{"id": "sub-0123", "status": "ACTIVE"}]
        }],
        "faults": {"queued": {"DescribeCluster": 2}, "latency": {"*": 0.5},
                   "error_rates": {"CreateCluster": 0.1}, "drops": {"*": 1.0}},
        "requests": [
            {"time": NOW - 0.4, "operation": "DescribeCluster", "method": "GET", "path": "/clusters/missing",
             "status": 404, "error_code": "ResourceNotFoundException", "account_id": "123456789012", "region": "us-east-1"},
            {"time": NOW - 0.9, "operation": "CreateCluster", "method": "POST", "path": "/clusters",
             "status": 200, "error_code": null, "account_id": "123456789012", "region": "us-east-1"}
        ]
    })
}

/// Every opened element of these kinds is closed, in order.
fn assert_balanced(page: &str) {
    let mut open: Vec<&str> = Vec::new();
    let names = [
        "html", "head", "body", "header", "main", "section", "div", "table", "tr", "td", "th",
        "h1", "h2", "h3", "h4", "p", "span", "code", "style", "title",
    ];
    let mut rest = page;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split([' ', '>'])
            .next()
            .unwrap_or("");
        if !names.contains(&name) {
            continue;
        }
        if closing {
            assert_eq!(open.pop(), Some(name), "unbalanced </{name}>");
        } else {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "left open: {open:?}");
}

#[test]
fn shows_every_part_of_the_overview() {
    let page = render(&full());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<meta http-equiv=\"refresh\" content=\"2\">"));
    assert!(page.contains("http://127.0.0.1:9566"));
    assert!(page.contains("2025-12-02 07:20:00 UTC"));
    assert!(page.contains("Account <span class=\"mono\">123456789012</span> · us-east-1"));
    for shown in [
        "demo",
        "prod",
        "https://127.0.0.1:40001",
        "1.33",
        "ng",
        "fp",
        "vpc-cni",
        "v1.19.0-eksbuild.1",
        "arn:aws:iam::123456789012:user/testing",
        "AmazonEKSClusterAdminPolicy",
        "sub-0123",
    ] {
        assert!(page.contains(shown), "{shown} missing");
    }
    assert!(page.contains("<span class=\"badge busy\">CREATING</span>"));
    assert!(page.contains("<span class=\"badge failed\">CREATE_FAILED</span>"));
    assert!(page.contains("<span class=\"badge warn\">DEGRADED</span>"));
    assert!(page.contains("<span class=\"badge ok\">ACTIVE</span>"));
    assert!(page.contains("<span class=\"badge busy\">DELETING</span>"));
    assert!(page.contains("→ ACTIVE in 9.5 s"));
    assert!(page.contains("→ DELETED due now"));
    assert_balanced(&page);
}

#[test]
fn faults_read_as_sentences() {
    let page = render(&full());
    assert!(page.contains("<td>Queued answers</td><td>DescribeCluster</td><td>next 2 call(s)</td>"));
    assert!(page.contains("<td>Latency</td><td>every operation</td><td>0.5 s per answer</td>"));
    assert!(page.contains("<td>Error rate</td><td>CreateCluster</td><td>10% of calls fail</td>"));
    assert!(
        page.contains("<td>Dropped connections</td><td>every operation</td><td>100% of calls</td>")
    );
}

#[test]
fn failed_requests_stand_out_with_their_error_code() {
    let page = render(&full());
    let failed = page.find("<tr class=\"error\">").expect("a red row");
    let row = &page[failed..failed + page[failed..].find("</tr>").unwrap_or(0)];
    assert!(
        row.contains("DescribeCluster")
            && row.contains("404")
            && row.contains("ResourceNotFoundException")
    );
    assert!(row.contains("07:20:00.100"));
    assert_eq!(page.matches("<tr class=\"error\">").count(), 1);
    assert!(page.contains("<tr><td class=\"mono nowrap\">07:19:59.600</td><td>CreateCluster</td>"));
}

#[test]
fn a_dropped_request_and_one_outside_the_model_are_shown() {
    let page = render(&json!({"requests": [
        {"time": NOW, "operation": null, "method": "GET", "path": "/nowhere", "status": 404, "error_code": "UnknownOperationException"},
        {"time": NOW, "operation": "ListClusters", "method": "GET", "path": "/clusters", "status": null}
    ]}));
    assert!(page.contains("not an operation"));
    assert!(page.contains("no answer"));
    assert_eq!(page.matches("<tr class=\"error\">").count(), 2);
}

#[test]
fn markup_in_values_stays_text() {
    let mut overview = full();
    overview["regions"][0]["clusters"][0]["name"] = json!("<b>x</b>");
    overview["regions"][0]["clusters"][0]["nodegroups"][0]["name"] =
        json!("<script>alert(1)</script>");
    overview["regions"][0]["clusters"][0]["addons"][0]["version"] =
        json!("\"><img src=x onerror=alert(1)>");
    overview["requests"][0]["path"] = json!("/clusters/<script>");
    overview["faults"]["latency"] = json!({"<script>": 1.0});
    overview["endpoint"] = json!("http://x\" onmouseover=\"alert(1)");
    let page = render(&overview);
    assert!(page.contains("&lt;b&gt;x&lt;/b&gt;"));
    assert!(!page.contains("<b>"));
    assert!(!page.to_ascii_lowercase().contains("<script"));
    assert!(!page.contains("<img"));
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("http://x&quot; onmouseover=&quot;alert(1)"));
    assert_balanced(&page);
}

#[test]
fn unknown_keys_are_not_printed() {
    let mut overview = full();
    overview["secret_access_key"] = json!("TOP-SECRET-1");
    overview["regions"][0]["clusters"][0]["session_token"] = json!("TOP-SECRET-2");
    overview["regions"][0]["clusters"][0]["nodegroups"][0]["secret"] = json!("TOP-SECRET-3");
    overview["requests"][0]["headers"] = json!({"authorization": "TOP-SECRET-4"});
    overview["faults"]["unknown_kind"] = json!({"TOP-SECRET-5": 1});
    let page = render(&overview);
    assert!(!page.contains("TOP-SECRET"));
}

#[test]
fn an_empty_emulator_reads_well() {
    for overview in [
        json!({}),
        json!({"now": NOW, "endpoint": "http://127.0.0.1:9566", "regions": [],
                                        "faults": {"queued": {}, "latency": {}, "error_rates": {}, "drops": {}},
                                        "requests": []}),
        Value::Null,
        json!([1, 2]),
    ] {
        let page = render(&overview);
        assert!(page.contains("No clusters yet"));
        assert!(page.contains("No requests yet."));
        assert!(page.contains("<h2>Active faults</h2>\n<p class=\"empty\">None"));
        assert!(page.contains("<h2>Pending transitions</h2>\n<p class=\"empty\">None"));
        assert!(page.contains("<meta http-equiv=\"refresh\" content=\"2\">"));
        assert_balanced(&page);
    }
}

#[test]
fn a_region_with_only_subscriptions_still_says_there_are_no_clusters() {
    let page = render(
        &json!({"regions": [{"account_id": "1", "region": "r", "clusters": [],
                                            "subscriptions": [{"id": "s-1", "status": "CREATING"}]}]}),
    );
    assert!(page.contains("No clusters yet"));
    assert!(page.contains("s-1"));
}

#[test]
fn wrong_types_do_not_panic() {
    let page = render(
        &json!({"now": "soon", "endpoint": 5, "regions": [{"clusters": [{"name": ["x"], "status": 3,
        "pending": {"status": "ACTIVE", "at": "later"}, "nodegroups": {"a": 1}}]}],
        "faults": {"latency": {"*": "slow"}}, "requests": [{"time": -1e300, "status": "200"}]}),
    );
    assert!(page.contains("<span class=\"badge other\">unknown</span>"));
    assert!(page.contains("→ ACTIVE soon"));
    assert_balanced(&page);
}

#[test]
fn numbers_are_short() {
    let page = render(
        &json!({"faults": {"latency": {"*": 0.05, "ListClusters": 12.0, "DescribeCluster": 0.0}}}),
    );
    assert!(page.contains("<td>0.05 s per answer</td>"));
    assert!(page.contains("<td>12 s per answer</td>"));
    assert!(page.contains("<td>0 s per answer</td>"));
}

#[test]
fn at_most_fifty_requests() {
    let requests: Vec<Value> = (0..80)
        .map(|i| json!({"time": NOW, "operation": format!("Op{i}"), "status": 200}))
        .collect();
    let page = render(&json!({"requests": requests}));
    assert!(page.contains("Op49<") && !page.contains("Op50<"));
}

#[test]
fn no_script_and_no_external_asset() {
    let page = render(&full()).to_ascii_lowercase();
    assert!(!page.contains("<script"));
    for external in ["src=", "href=", "url(", "@import"] {
        assert!(!page.contains(external), "{external}");
    }
    assert!(page.contains("content-security-policy"));
}

#[test]
fn other_kinds_of_the_registry_show_as_counts() {
    let mut overview = full();
    let cluster = &mut overview["regions"][0]["clusters"][0];
    cluster["resource_counts"] =
        json!({"nodegroup": 1, "capability": 2, "pod_identity_association": 0, "odd<kind>": 1});
    let page = render(&overview);
    assert!(
        page.contains("Also: capability 2, odd&lt;kind&gt; 1."),
        "{page}"
    );
    assert!(!page.contains("pod identity association 0"));
}
