"""pytest plugin (registered as the ``eksy`` entry point): the ``local_eks`` and ``eks_env`` fixtures.

Each test gets its own emulator on a free port of 127.0.0.1, stopped after the test, so
tests are isolated and safe to run in parallel under pytest-xdist. ``eks_env`` also points the
whole process at it for the test (see :func:`eksy.testing.mock_eks`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eksy.testing import LocalEKS, mock_eks


@pytest.fixture
def local_eks() -> Iterator[LocalEKS]:
    """A fresh :class:`eksy.testing.LocalEKS` for this test, stopped afterwards."""
    with LocalEKS() as emulator:
        yield emulator


@pytest.fixture
def eks_env(local_eks: LocalEKS) -> Iterator[LocalEKS]:
    """``local_eks``, with the whole process pointed at it for this test: clients created with
    no endpoint or credentials (boto3, eksy, an ``aws`` subprocess) reach it."""
    with mock_eks(local_eks) as emulator:
        yield emulator
