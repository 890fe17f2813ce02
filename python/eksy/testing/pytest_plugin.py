"""pytest plugin (registered as the ``eksy`` entry point): the ``local_eks`` fixture.

Each test gets its own emulator on a free port of 127.0.0.1, stopped after the test, so
tests are isolated and safe to run in parallel under pytest-xdist.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eksy.testing import LocalEKS


@pytest.fixture
def local_eks() -> Iterator[LocalEKS]:
    """A fresh :class:`eksy.testing.LocalEKS` for this test, stopped afterwards."""
    with LocalEKS() as emulator:
        yield emulator
