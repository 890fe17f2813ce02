"""clientRequestToken as EKS honours it: a retry after a lost response (the operation ran, its
answer never arrived) gives the caller exactly one resource and a success, through eksy and
boto3, which both fill the token in themselves; the same token with other input is refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.config
import pytest
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks"
NODE_ROLE = "arn:aws:iam::123456789012:role/node"
SUBNETS = ["subnet-a", "subnet-b"]
PRINCIPAL = "arn:aws:iam::123456789012:role/dev"
API_LOGS = {"cluster_logging": [{"types": ["api"], "enabled": True}]}


@pytest.fixture
def local() -> Iterator[LocalEKS]:
    with LocalEKS() as emulator:
        emulator.client().create_cluster(
            name="demo",
            role_arn=ROLE,
            resources_vpc_config={"subnet_ids": SUBNETS},
            access_config={"authentication_mode": "API_AND_CONFIG_MAP"},
        )
        emulator.client().describe_cluster(name="demo")  # settles: ACTIVE
        yield emulator


def boto(local: LocalEKS) -> Any:
    return boto3.client(
        "eks",
        endpoint_url=local.endpoint_url,
        region_name=local.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 3}),
    )


# operation -> (eksy call, boto3 call, how many now exist); each creates one thing named `name`.
Create = Callable[[Any, str], Any]
CREATES: dict[str, tuple[Create, Create, Callable[[Any], int]]] = {
    "CreateCluster": (
        lambda eks, name: eks.create_cluster(name=name, role_arn=ROLE, resources_vpc_config={"subnet_ids": SUBNETS}),
        lambda eks, name: eks.create_cluster(name=name, roleArn=ROLE, resourcesVpcConfig={"subnetIds": SUBNETS}),
        lambda eks: len(eks.list_clusters().clusters),
    ),
    "CreateNodegroup": (
        lambda eks, name: eks.create_nodegroup(
            cluster_name="demo", nodegroup_name=name, node_role=NODE_ROLE, subnets=SUBNETS
        ),
        lambda eks, name: eks.create_nodegroup(
            clusterName="demo", nodegroupName=name, nodeRole=NODE_ROLE, subnets=SUBNETS
        ),
        lambda eks: len(eks.list_nodegroups(cluster_name="demo").nodegroups),
    ),
    "CreateFargateProfile": (
        lambda eks, name: eks.create_fargate_profile(
            cluster_name="demo",
            fargate_profile_name=name,
            pod_execution_role_arn=ROLE,
            subnets=SUBNETS,
            selectors=[{"namespace": name}],
        ),
        lambda eks, name: eks.create_fargate_profile(
            clusterName="demo",
            fargateProfileName=name,
            podExecutionRoleArn=ROLE,
            subnets=SUBNETS,
            selectors=[{"namespace": name}],
        ),
        lambda eks: len(eks.list_fargate_profiles(cluster_name="demo").fargate_profile_names),
    ),
    "CreateAccessEntry": (
        lambda eks, name: eks.create_access_entry(cluster_name="demo", principal_arn=f"{PRINCIPAL}-{name}"),
        lambda eks, name: eks.create_access_entry(clusterName="demo", principalArn=f"{PRINCIPAL}-{name}"),
        lambda eks: len(eks.list_access_entries(cluster_name="demo").access_entries),
    ),
    "CreatePodIdentityAssociation": (
        lambda eks, name: eks.create_pod_identity_association(
            cluster_name="demo", namespace=name, service_account="sa", role_arn=ROLE
        ),
        lambda eks, name: eks.create_pod_identity_association(
            clusterName="demo", namespace=name, serviceAccount="sa", roleArn=ROLE
        ),
        lambda eks: len(eks.list_pod_identity_associations(cluster_name="demo").associations),
    ),
}


@pytest.mark.parametrize("client", ["eksy", "boto3"])
@pytest.mark.parametrize("operation", sorted(CREATES))
def test_a_retry_after_a_lost_response_creates_exactly_one(local: LocalEKS, operation: str, client: str) -> None:
    eksy_call, boto_call, count = CREATES[operation]
    before = count(local.client())
    local.clear_requests()
    local.queue_lost_response(operation)
    if client == "eksy":
        answer = eksy_call(local.client(), "retried")
    else:
        answer = boto_call(boto(local), "retried")
    assert answer is not None
    assert len(local.requests(operation=operation)) == 2, "the first answer was lost, the SDK retried once"
    assert count(local.client()) == before + 1, "exactly one was created"


@pytest.mark.parametrize("client", ["eksy", "boto3"])
def test_a_retried_update_starts_one_update(local: LocalEKS, client: str) -> None:
    local.queue_lost_response("UpdateClusterConfig")
    if client == "eksy":
        update = local.client().update_cluster_config(name="demo", logging=API_LOGS).update
        assert update is not None
        update_id = update.id
    else:
        update_id = boto(local).update_cluster_config(
            name="demo", logging={"clusterLogging": [{"types": ["api"], "enabled": True}]}
        )["update"]["id"]
    assert local.client().list_updates(name="demo").update_ids == [update_id]


def test_the_same_token_with_other_input_is_refused(local: LocalEKS) -> None:
    eks = local.client()
    first = eks.create_access_entry(cluster_name="demo", principal_arn=PRINCIPAL, client_request_token="tok-1")
    again = eks.create_access_entry(cluster_name="demo", principal_arn=PRINCIPAL, client_request_token="tok-1")
    assert again == first, "a repeat gets the first answer"
    with pytest.raises(eksy_errors().InvalidParameterException, match="tok-1"):
        eks.create_access_entry(
            cluster_name="demo", principal_arn=PRINCIPAL, client_request_token="tok-1", username="someone-else"
        )
    other = boto(local)
    with pytest.raises(other.exceptions.InvalidParameterException):
        other.create_access_entry(
            clusterName="demo", principalArn=PRINCIPAL, clientRequestToken="tok-1", kubernetesGroups=["x"]
        )


def eksy_errors() -> Any:
    import eksy

    return eksy
