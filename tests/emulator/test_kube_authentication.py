"""Bearer tokens are checked as aws-iam-authenticator checks them; each failure is a 401 with a
Kubernetes Status, and the endpoint keeps serving. Tokens come from botocore's presigner."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from eksy.testing import LocalEKS
from kube_support import call, make_active_cluster, presigned_token, token_of, url_of

NAMESPACES = "/api/v1/namespaces"


@pytest.fixture
def cluster() -> Any:
    with LocalEKS(timings={"all": 0}) as local:
        yield local, make_active_cluster(local)


def _status(cluster: Any, token: str | None, path: str = NAMESPACES) -> tuple[int, Any]:
    _, info = cluster
    return call(info["endpoint"], info["ca"], path, token=token)


def _assert_rejected(cluster: Any, token: str, reason: str) -> None:
    status, body = _status(cluster, token)
    assert status == 401, body
    assert body["kind"] == "Status" and body["reason"] == "Unauthorized" and body["code"] == 401
    assert reason in body["details"]["causes"][0]["message"]
    assert token not in str(body)
    # The endpoint keeps serving a good token.
    assert _status(cluster, presigned_token("demo"))[0] == 200


def test_a_good_token_is_accepted(cluster: Any) -> None:
    status, body = _status(cluster, presigned_token("demo"))
    assert status == 200 and body["kind"] == "NamespaceList"


def test_no_token_is_unauthorized_on_every_path(cluster: Any) -> None:
    # EKS serves /version and health checks to anonymous callers; the emulator does not (README).
    for path in ("/version", NAMESPACES):
        status, body = _status(cluster, None, path)
        assert status == 401, body
        assert body["kind"] == "Status" and body["reason"] == "Unauthorized"
    assert _status(cluster, presigned_token("demo"), "/version")[0] == 200, "the server keeps serving"


def test_a_header_that_is_not_a_bearer_token_is_rejected(cluster: Any) -> None:
    _, info = cluster
    status, body = call(info["endpoint"], info["ca"], NAMESPACES, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert status == 401, body


def test_wrong_prefix(cluster: Any) -> None:
    _assert_rejected(cluster, presigned_token("demo").replace("k8s-aws-v1.", "k8s-aws-v2.", 1), "prefix")


def test_bad_base64(cluster: Any) -> None:
    _assert_rejected(cluster, "k8s-aws-v1.not*base64!", "base64")


def test_too_long(cluster: Any) -> None:
    _assert_rejected(cluster, "k8s-aws-v1." + "A" * 5000, "too large")


def test_http_url(cluster: Any) -> None:
    _assert_rejected(cluster, presigned_token("demo", endpoint="http://sts.us-east-1.amazonaws.com"), "scheme")


def test_foreign_host(cluster: Any) -> None:
    _assert_rejected(cluster, presigned_token("demo", endpoint="https://sts.evil.example.com"), "hostname")


def test_sts_host_of_another_region(cluster: Any) -> None:
    _assert_rejected(cluster, presigned_token("demo", endpoint="https://sts.eu-west-1.amazonaws.com"), "hostname")


def test_extra_query_key(cluster: Any) -> None:
    _assert_rejected(cluster, token_of(url_of(presigned_token("demo")) + "&Foo=bar"), "non-whitelisted")


def test_repeated_query_key(cluster: Any) -> None:
    repeated = url_of(presigned_token("demo")) + "&Action=GetCallerIdentity"
    _assert_rejected(cluster, token_of(repeated), "multiple values")


def test_wrong_action(cluster: Any) -> None:
    wrong = url_of(presigned_token("demo")).replace("Action=GetCallerIdentity", "Action=GetSessionToken")
    _assert_rejected(cluster, token_of(wrong), "action")


def test_cluster_header_not_signed(cluster: Any) -> None:
    _assert_rejected(cluster, presigned_token(None), "x-k8s-aws-id")


def test_token_for_another_cluster(cluster: Any) -> None:
    _assert_rejected(cluster, presigned_token("another-cluster"), "SignatureDoesNotMatch")


def test_expires_over_900_seconds(cluster: Any) -> None:
    _assert_rejected(cluster, presigned_token("demo", expires=901), "X-Amz-Expires")


def test_expired_date_moved_by_advance(cluster: Any) -> None:
    local, _ = cluster
    token = presigned_token("demo")
    assert _status(cluster, token)[0] == 200
    local.advance(16 * 60)
    status, body = _status(cluster, token)
    assert status == 401 and "expired" in body["details"]["causes"][0]["message"]
    # A token signed at the emulator's new time is good again.
    at = datetime.datetime.fromtimestamp(local.now(), datetime.timezone.utc)
    assert _status(cluster, presigned_token("demo", at=at))[0] == 200


def test_shortened_token_age(cluster: Any) -> None:
    local, _ = cluster
    token = presigned_token("demo")
    local.set_kube_settings(token_max_age=5)
    local.advance(6)
    status, body = _status(cluster, token)
    assert status == 401 and "expired" in body["details"]["causes"][0]["message"]


def test_tampered_signature(cluster: Any) -> None:
    url = url_of(presigned_token("demo"))
    signature = url.rsplit("X-Amz-Signature=", 1)[1]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    _assert_rejected(cluster, token_of(url.replace(signature, flipped)), "SignatureDoesNotMatch")


def test_wrong_secret(cluster: Any) -> None:
    _assert_rejected(cluster, presigned_token("demo", secret="not-the-secret"), "SignatureDoesNotMatch")


def test_unknown_access_key(cluster: Any) -> None:
    _assert_rejected(cluster, presigned_token("demo", key="AKIAUNKNOWN"), "InvalidClientTokenId")


def test_added_and_removed_identities(cluster: Any) -> None:
    local, _ = cluster
    alice = local.add_identity("arn:aws:iam::123456789012:user/alice")
    assert "secret" not in repr(alice) and alice.secret_access_key not in repr(alice)
    local.client().create_access_entry(cluster_name="demo", principal_arn=alice.arn)
    local.client().associate_access_policy(
        cluster_name="demo",
        principal_arn=alice.arn,
        policy_arn="arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
        access_scope={"type": "cluster"},
    )
    token = presigned_token("demo", key=alice.access_key_id, secret=alice.secret_access_key)
    assert _status(cluster, token)[0] == 200
    listed = local.identities()
    assert alice.access_key_id in [i["access_key_id"] for i in listed]
    assert alice.secret_access_key not in str(listed)
    local.remove_identity(alice.access_key_id)
    assert _status(cluster, token)[0] == 401
