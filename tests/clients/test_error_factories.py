"""The Rust-to-Python error boundary (src/py_errors.rs): every factory of eksy._errors that Rust
calls exists with the parameters Rust passes, and builds the exception it is for."""

from __future__ import annotations

import inspect

import eksy
import pytest
from eksy import _eksy, _errors


def test_every_factory_rust_calls_exists_with_its_parameters() -> None:
    factories = _eksy._error_factories()
    assert {name for name, _ in factories} == {"_param_error", "_no_region_error", "_call_error"}
    for name, params in factories:
        factory = getattr(_errors, name)
        signature = inspect.signature(factory)
        assert list(signature.parameters) == params, name
        assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in signature.parameters.values()), name


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("service", eksy.ServiceError),
        ("connection", eksy.EndpointConnectionError),
        ("timeout", eksy.RequestTimeoutError),
        ("no_credentials", eksy.NoCredentialsError),
        ("internal", eksy.InternalError),
    ],
)
def test_call_error_builds_the_class_of_its_kind(kind: str, expected: type[Exception]) -> None:
    error = _errors._call_error(kind, "DescribeCluster", None, "it failed", None, None, None)
    assert isinstance(error, expected)


def test_rust_raises_through_the_factories() -> None:
    with pytest.raises(eksy.ParamValidationError, match="max_attempts"):
        eksy.EKS(region="us-east-1", max_attempts=-1)  # type: ignore[arg-type]
    with pytest.raises(eksy.NoRegionError):
        eksy.EKS(region=None, profile="eksy-no-such-profile-region-test")
