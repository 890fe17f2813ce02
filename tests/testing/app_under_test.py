"""Code under test, written as production code is: every client is built with no endpoint, no
credentials and no region, from the standard AWS configuration (boto3, eksy, the AWS CLI)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import boto3
import eksy

CLUSTER_ROLE = "arn:aws:iam::123456789012:role/eks-cluster"
NODE_ROLE = "arn:aws:iam::123456789012:role/eks-node"
SUBNETS = ["subnet-0a1", "subnet-0b2"]


def create_cluster(name: str) -> str:
    """Creates a cluster with boto3; returns the status of the answer."""
    answer = boto3.client("eks").create_cluster(
        name=name, roleArn=CLUSTER_ROLE, resourcesVpcConfig={"subnetIds": SUBNETS}
    )
    return str(answer["cluster"]["status"])


def add_nodegroup(cluster: str, name: str) -> str:
    """Adds a node group with eksy; returns its status."""
    answer = eksy.EKS().create_nodegroup(
        cluster_name=cluster, nodegroup_name=name, subnets=SUBNETS, node_role=NODE_ROLE
    )
    assert answer.nodegroup is not None
    return str(answer.nodegroup.status)


def cluster_names() -> list[str]:
    return list(boto3.client("eks").list_clusters()["clusters"])


def cluster_names_eksy() -> list[str]:
    return list(eksy.EKS().list_clusters().clusters or [])


async def cluster_names_async() -> list[str]:
    return list((await eksy.AsyncEKS().list_clusters()).clusters or [])


def cluster_names_cli() -> list[str]:
    run = subprocess.run(["aws", "eks", "list-clusters"], capture_output=True, text=True, timeout=60, check=True)
    return list(json.loads(run.stdout)["clusters"])


def caller_arn() -> str:
    return str(boto3.client("sts").get_caller_identity()["Arn"])


def pod_credentials(cluster: str) -> Any:
    """Asks EKS Auth for pod credentials with eksy (the token is not a real one)."""
    return eksy.EKSAuth().assume_role_for_pod_identity(cluster_name=cluster, token="a.b.c")
