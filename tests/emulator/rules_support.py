"""Helpers of the rule tests (tests/emulator/test_rules_*.py), one rule of docs/emulator-rules.md each."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def rejects(call: Any, code: str, fragment: str, **kwargs: Any) -> dict[str, Any]:
    """Calls a boto3 operation that must fail with ``code`` and a message containing ``fragment``;
    the error response (so a test can check its modeled fields)."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    error = info.value.response["Error"]
    assert error["Code"] == code, error
    assert fragment in error["Message"], error
    return dict(info.value.response)
