"""Tagging and paging rules of docs/emulator-rules.md (TagResource, UntagResource,
ListTagsForResource, and every List operation's nextToken), one rule per test, through boto3 over
HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from rules_support import rejects


@pytest.fixture
def arn(make_cluster: Any) -> str:
    return str(make_cluster("demo")["arn"])


def test_tag_keys_and_values_do_not_use_the_aws_prefix(eks: Any, arn: str) -> None:
    rejects(eks.tag_resource, "BadRequestException", "reserved for AWS use", resourceArn=arn, tags={"team": "AWS:x"})


def test_at_most_fifty_tags_per_resource(eks: Any, arn: str) -> None:
    eks.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(40)})
    more = {f"m{i}": "v" for i in range(11)}
    rejects(eks.tag_resource, "BadRequestException", "at most 50 tags", resourceArn=arn, tags=more)


def test_aws_tags_are_not_removed(eks: Any, arn: str) -> None:
    rejects(
        eks.untag_resource,
        "BadRequestException",
        "can't be removed",
        resourceArn=arn,
        tagKeys=["aws:cloudformation:stack-name"],
    )


def test_tagged_arn_must_be_an_arn(eks: Any) -> None:
    rejects(eks.list_tags_for_resource, "BadRequestException", "is not a valid ARN", resourceArn="cluster/demo")


def test_tagged_resource_must_exist(eks: Any, arn: str) -> None:
    rejects(eks.list_tags_for_resource, "NotFoundException", "not found", resourceArn=arn.replace("demo", "gone"))


def test_tagged_resource_is_in_the_caller_account(eks: Any, arn: str) -> None:
    rejects(
        eks.tag_resource,
        "NotFoundException",
        "not found",
        resourceArn=arn.replace("123456789012", "210987654321"),
        tags={"a": "b"},
    )


def test_page_tokens_are_ours(eks: Any) -> None:
    rejects(eks.list_clusters, "InvalidParameterException", "The nextToken provided is invalid", nextToken="demo")
