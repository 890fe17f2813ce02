"""Pod identity associations through boto3."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import ROLE, error_of

pytestmark = pytest.mark.usefixtures("slow_lifecycles")


def test_pod_identity_associations(local_eks: Any, eks: Any, make_cluster: Any) -> None:
    make_cluster("demo")
    created = eks.create_pod_identity_association(
        clusterName="demo", namespace="ns", serviceAccount="sa", roleArn=ROLE, tags={"k": "v"}
    )["association"]
    assoc_id = created["associationId"]
    assert assoc_id.startswith("a-") and len(assoc_id) == 19
    assert created["associationArn"] == (
        f"arn:aws:eks:{local_eks.region}:123456789012:podidentityassociation/demo/{assoc_id}"
    )
    assert created["disableSessionTags"] is False
    code, status, response = error_of(
        eks.create_pod_identity_association, clusterName="demo", namespace="ns", serviceAccount="sa", roleArn=ROLE
    )
    assert (code, status, response["clusterName"]) == ("ResourceInUseException", 409, "demo")
    eks.create_pod_identity_association(clusterName="demo", namespace="other", serviceAccount="sa", roleArn=ROLE)
    summaries = eks.list_pod_identity_associations(clusterName="demo", namespace="ns")["associations"]
    assert [s["associationId"] for s in summaries] == [assoc_id] and "roleArn" not in summaries[0]
    assert len(eks.list_pod_identity_associations(clusterName="demo", serviceAccount="sa")["associations"]) == 2
    target = "arn:aws:iam::210987654321:role/target"
    updated = eks.update_pod_identity_association(clusterName="demo", associationId=assoc_id, targetRoleArn=target)[
        "association"
    ]
    assert updated["targetRoleArn"] == target and updated["externalId"]
    code, _, _ = error_of(eks.update_pod_identity_association, clusterName="demo", associationId=assoc_id)
    assert code == "InvalidParameterException"
    assert eks.list_tags_for_resource(resourceArn=created["associationArn"])["tags"] == {"k": "v"}
    deleted = eks.delete_pod_identity_association(clusterName="demo", associationId=assoc_id)["association"]
    assert deleted["associationId"] == assoc_id
    code, status, _ = error_of(eks.describe_pod_identity_association, clusterName="demo", associationId=assoc_id)
    assert (code, status) == ("ResourceNotFoundException", 404)
