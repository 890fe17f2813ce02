"""Helpers of the capture tests, imported by name (not from conftest.py, see tests/emulator)."""

from __future__ import annotations

import os

# What mock_eks sets or removes, as the README lists them: compared even when absent before.
TOUCHED = (
    "AWS_ENDPOINT_URL_EKS",
    "AWS_ENDPOINT_URL_EKS_AUTH",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_USE_FIPS_ENDPOINT",
    "NO_PROXY",
    "no_proxy",
)


# pytest's own, changed between a test's phases.
NOT_COMPARED = {"PYTEST_CURRENT_TEST"}


def assert_environment_is(before: dict[str, str]) -> None:
    """``os.environ`` equals ``before`` key by key: its keys, today's keys and TOUCHED (absent = None).

    A failure names the keys that differ, not their values (which may be secrets)."""
    keys = sorted({*before, *os.environ, *TOUCHED} - NOT_COMPARED)
    differing = [key for key in keys if os.environ.get(key) != before.get(key)]
    assert differing == [], f"os.environ differs from before in {differing}"
