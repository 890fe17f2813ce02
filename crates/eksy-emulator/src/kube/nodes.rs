//! Nodes derived from managed node groups: `desiredSize` Ready nodes per node group that is
//! ACTIVE, UPDATING or DEGRADED, with the node group's labels and taints, EKS's
//! `eks.amazonaws.com/*` labels, capacity from the instance type, and the kubelet version
//! of the node group's Kubernetes version. They follow scaling and deletion because they
//! are computed from the node group on every read.

use crate::lifecycle::Tracked;
use crate::state::ClusterState;
use crate::util::rfc3339;
use serde_json::{json, Map, Value};

/// `(instance type, vCPUs, GiB, max pods)`; others get 2 vCPUs, 8 GiB and 29 pods.
const INSTANCE_TYPES: &[(&str, u32, u32, u32)] = &[
    ("t3.small", 2, 2, 11),
    ("t3.medium", 2, 4, 17),
    ("t3.large", 2, 8, 35),
    ("t3.xlarge", 4, 16, 58),
    ("t3.2xlarge", 8, 32, 58),
    ("t4g.medium", 2, 4, 17),
    ("t4g.large", 2, 8, 35),
    ("m5.large", 2, 8, 29),
    ("m5.xlarge", 4, 16, 58),
    ("m5.2xlarge", 8, 32, 58),
    ("m5.4xlarge", 16, 64, 234),
    ("m6i.large", 2, 8, 29),
    ("m6i.xlarge", 4, 16, 58),
    ("m6g.large", 2, 8, 29),
    ("m6g.xlarge", 4, 16, 58),
    ("m7i.large", 2, 8, 29),
    ("c5.large", 2, 4, 29),
    ("c5.xlarge", 4, 8, 58),
    ("c6g.large", 2, 4, 29),
    ("r5.large", 2, 16, 29),
    ("r5.xlarge", 4, 32, 58),
    ("g4dn.xlarge", 4, 16, 29),
];

fn capacity(instance_type: &str) -> (u32, u32, u32) {
    INSTANCE_TYPES
        .iter()
        .find(|(t, ..)| *t == instance_type)
        .map_or((2, 8, 29), |(_, cpu, gib, pods)| (*cpu, *gib, *pods))
}

fn arm64(instance_type: &str, ami_type: &str) -> bool {
    let family = instance_type.split('.').next().unwrap_or("");
    ami_type.contains("ARM")
        || family.ends_with('g')
        || family.contains("gd")
        || family.contains("gn")
}

/// A stable 32-bit hash (FNV-1a), so a node keeps its name and address while it exists.
fn hash(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

fn taint_effect(effect: &str) -> &str {
    match effect {
        "NO_EXECUTE" => "NoExecute",
        "PREFER_NO_SCHEDULE" => "PreferNoSchedule",
        _ => "NoSchedule",
    }
}

fn nodes_of(nodegroup: &Tracked, region: &str) -> Vec<Value> {
    if !matches!(nodegroup.status(), "ACTIVE" | "UPDATING" | "DEGRADED") {
        return Vec::new();
    }
    let body = &nodegroup.body;
    let desired = body
        .pointer("/scalingConfig/desiredSize")
        .and_then(Value::as_u64)
        .unwrap_or(0)
        .min(1000);
    let group = nodegroup.get_str("nodegroupName");
    let arn = nodegroup.get_str("nodegroupArn");
    let instance_type = body
        .pointer("/instanceTypes/0")
        .and_then(Value::as_str)
        .unwrap_or("t3.medium");
    let ami_type = nodegroup.get_str("amiType");
    let capacity_type = body
        .get("capacityType")
        .and_then(Value::as_str)
        .unwrap_or("ON_DEMAND");
    let version = nodegroup.get_str("version");
    let release = nodegroup.get_str("releaseVersion");
    let (cpu, gib, pods) = capacity(instance_type);
    let arch = if arm64(instance_type, ami_type) {
        "arm64"
    } else {
        "amd64"
    };
    let created = body.get("createdAt").and_then(Value::as_f64).unwrap_or(0.0);
    let taints: Vec<Value> = body
        .get("taints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| {
            let mut taint = Map::new();
            taint.insert("key".into(), t.get("key").cloned().unwrap_or(json!("")));
            if let Some(value) = t.get("value").filter(|v| !v.is_null()) {
                taint.insert("value".into(), value.clone());
            }
            taint.insert(
                "effect".into(),
                json!(taint_effect(
                    t.get("effect").and_then(Value::as_str).unwrap_or("")
                )),
            );
            Value::Object(taint)
        })
        .collect();
    (0..desired)
        .map(|index| {
            let h = hash(&format!("{arn}#{index}"));
            let ip = format!("10.0.{}.{}", (h >> 8) & 0xff, (h & 0xff).max(4));
            let name = format!("ip-{}.{region}.compute.internal", ip.replace('.', "-"));
            let zone = format!("{region}{}", ['a', 'b', 'c'][(h % 3) as usize]);
            let mut labels = Map::new();
            for (k, v) in body.get("labels").and_then(Value::as_object).into_iter().flatten() {
                labels.insert(k.clone(), v.clone());
            }
            for (k, v) in [
                ("beta.kubernetes.io/arch", arch),
                ("beta.kubernetes.io/instance-type", instance_type),
                ("beta.kubernetes.io/os", "linux"),
                ("eks.amazonaws.com/capacityType", capacity_type),
                ("eks.amazonaws.com/nodegroup", group),
                ("eks.amazonaws.com/nodegroup-image", "ami-0123456789abcdef0"),
                ("kubernetes.io/arch", arch),
                ("kubernetes.io/hostname", &name),
                ("kubernetes.io/os", "linux"),
                ("node.kubernetes.io/instance-type", instance_type),
                ("topology.kubernetes.io/region", region),
                ("topology.kubernetes.io/zone", &zone),
            ] {
                labels.insert(k.into(), json!(v));
            }
            let memory_ki = u64::from(gib) * 1024 * 1024 - 400 * 1024;
            let kubelet = format!(
                "v{version}.{}-eks-{:07x}",
                release.split('.').nth(2).and_then(|p| p.split('-').next()).unwrap_or("0"),
                hash(version) & 0x0fff_ffff
            );
            let since = rfc3339(created);
            json!({
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": name,
                    "uid": format!("{:08x}-0000-4000-8000-{:012x}", hash(arn), index),
                    "resourceVersion": "1",
                    "creationTimestamp": since,
                    "labels": labels,
                    "annotations": {"alpha.kubernetes.io/provided-node-ip": ip},
                },
                "spec": {
                    "providerID": format!("aws:///{zone}/i-0{:016x}", u64::from(h) << 16 | index),
                    "taints": taints,
                },
                "status": {
                    "capacity": {"cpu": cpu.to_string(), "memory": format!("{}Ki", u64::from(gib) * 1024 * 1024), "pods": pods.to_string(), "ephemeral-storage": "20959212Ki"},
                    "allocatable": {"cpu": format!("{}m", cpu * 1000 - 70), "memory": format!("{memory_ki}Ki"), "pods": pods.to_string(), "ephemeral-storage": "18242267924"},
                    "conditions": [
                        {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available", "lastHeartbeatTime": since, "lastTransitionTime": since},
                        {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure", "lastHeartbeatTime": since, "lastTransitionTime": since},
                        {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID", "message": "kubelet has sufficient PID available", "lastHeartbeatTime": since, "lastTransitionTime": since},
                        {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status", "lastHeartbeatTime": since, "lastTransitionTime": since},
                    ],
                    "addresses": [
                        {"type": "InternalIP", "address": ip},
                        {"type": "InternalDNS", "address": name},
                        {"type": "Hostname", "address": name},
                    ],
                    "nodeInfo": {
                        "kubeletVersion": kubelet,
                        "kubeProxyVersion": kubelet,
                        "osImage": "Amazon Linux 2023.7.20250512",
                        "kernelVersion": "6.1.134-152.225.amzn2023.x86_64",
                        "containerRuntimeVersion": "containerd://1.7.27",
                        "operatingSystem": "linux",
                        "architecture": arch,
                        "machineID": format!("ec2{:029x}", h),
                        "systemUUID": format!("ec2{:05x}-0000-0000-0000-{:012x}", h & 0xfffff, index),
                        "bootID": format!("{:08x}-0000-4000-8000-{:012x}", h, index),
                    },
                    "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                },
            })
        })
        .collect()
}

/// Every node of the cluster, sorted by name as the API server lists them.
pub fn nodes(cluster: &ClusterState, region: &str) -> Vec<Value> {
    let mut all: Vec<Value> = cluster
        .children
        .nodegroups
        .values()
        .flat_map(|ng| nodes_of(ng, region))
        .collect();
    all.sort_by(|a, b| {
        let name = |v: &Value| {
            v.pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        name(a).cmp(&name(b))
    });
    all
}
