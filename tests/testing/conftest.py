"""Every test here leaves ``os.environ`` exactly as it found it, after all its fixtures
(``eks_env`` included) have been torn down."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from capture_support import assert_environment_is


@pytest.fixture(autouse=True)
def environment_unchanged() -> Iterator[None]:
    before = dict(os.environ)
    yield
    assert_environment_is(before)
