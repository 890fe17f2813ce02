"""Testing with eksy: :class:`LocalEKS`, an in-process Amazon EKS emulator, :func:`mock_eks`,
which points the whole process at one for a scope, and the pytest plugin.

``LocalEKS`` starts the emulator (written in Rust, in eksy's extension) on ``127.0.0.1`` and
a free port, speaking the EKS and EKS Auth wire protocol, so any AWS SDK can use it::

    with LocalEKS() as local:
        eks = local.client()
        eks.create_cluster(...)
        local.advance(60)             # move the emulator clock: CREATING -> ACTIVE
        local.queue_error("DescribeCluster", "ThrottlingException", count=2)

    @mock_eks                         # code that builds its own clients reaches an emulator
    def test_cleanup():
        my_app.delete_idle_clusters()     # boto3.client("eks"), eksy.EKS(), `aws eks ...`
"""

from eksy.testing._capture import EKSCapture, mock_eks
from eksy.testing._kube import Credentials, IdentityInfo, KubeEndpoint
from eksy.testing._local import (
    DEFAULT_ACCOUNT_ID,
    TEST_ACCESS_KEY_ID,
    TEST_SECRET_ACCESS_KEY,
    HealthIssue,
    LocalEKS,
    RecordedRequest,
    ResourceKind,
    TimingName,
)
from eksy.testing._versions import CatalogDate, CatalogVersion

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "CatalogDate",
    "CatalogVersion",
    "Credentials",
    "EKSCapture",
    "IdentityInfo",
    "KubeEndpoint",
    "TEST_ACCESS_KEY_ID",
    "TEST_SECRET_ACCESS_KEY",
    "HealthIssue",
    "LocalEKS",
    "RecordedRequest",
    "ResourceKind",
    "TimingName",
    "mock_eks",
]
