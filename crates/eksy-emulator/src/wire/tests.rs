//! The wire layer against the real model.

use super::*;
use crate::model::{model, Operation};
use serde_json::json;
use std::collections::HashMap;

fn op(name: &str) -> &'static Operation {
    model().operation(name).unwrap()
}

#[test]
fn reads_labels_query_and_body() {
    let req = WireRequest {
        method: "GET".into(),
        path: "/addons/supported-versions".into(),
        query: parse_query("maxResults=5&types=networking&types=storage&kubernetesVersion=1.31"),
        ..Default::default()
    };
    let input = read_input(op("DescribeAddonVersions"), &HashMap::new(), &req).unwrap();
    assert_eq!(
        input,
        json!({"kubernetesVersion": "1.31", "maxResults": 5, "types": ["networking", "storage"]})
    );
    let bad = WireRequest {
        query: parse_query("maxResults=abc"),
        ..Default::default()
    };
    let err = read_input(op("ListClusters"), &HashMap::new(), &bad).unwrap_err();
    assert_eq!(err.code, "InvalidParameterException");
    assert!(err.message.contains("'maxResults'"), "{}", err.message);
}

#[test]
fn validation_messages_name_members() {
    let err = validate_input(op("ListClusters"), &json!({"maxResults": 1000})).unwrap_err();
    assert_eq!(
        err.message,
        "1 validation error detected: Value '1000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"
    );
    let err = validate_input(
        op("CreateCluster"),
        &json!({"name": "-bad", "resourcesVpcConfig": {"subnetIds": [1]}, "tags": {"": "v"}}),
    )
    .unwrap_err();
    assert!(
        err.message.starts_with("4 validation errors"),
        "{}",
        err.message
    );
    assert!(err.message.contains("at 'roleArn'"));
    assert!(err.message.contains(
        "at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern"
    ));
    assert!(err
        .message
        .contains("at 'resourcesVpcConfig.subnetIds.1.member'"));
    assert!(err.message.contains("at 'tags.'"));
    let err = validate_input(
        op("CreateNodegroup"),
        &json!({"clusterName": "c", "nodegroupName": "n", "subnets": [], "nodeRole": "r", "capacityType": "CHEAP"}),
    )
    .unwrap_err();
    assert!(err
        .message
        .contains("enum value set: [ON_DEMAND, SPOT, CAPACITY_BLOCK]"));
}

#[test]
fn output_drops_unmodeled_members() {
    let out = write_output(op("ListClusters"), json!({"clusters": ["a"], "junk": 1}));
    assert_eq!(out.status, 200);
    assert_eq!(out.body, json!({"clusters": ["a"]}));
}
