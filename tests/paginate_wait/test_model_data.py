"""Data checks in the spirit of botocore's functional tests: every paginator's tokens, limit key
and result key, and every waiter acceptor's path, exist in the model's shapes; and the
generated specs, methods and signatures agree with the model."""

from __future__ import annotations

import dataclasses
import inspect
import json
from pathlib import Path
from typing import Any

import eksy
import pytest
from botocore import xform_name
from eksy._generated import eks_models, paginators, waiters
from eksy._paginate import PaginatorSpec
from eksy._wait import WaiterSpec

MODEL = Path(__file__).resolve().parents[2] / "codegen" / "model" / "eks"
SERVICE = json.loads((MODEL / "service-2.json").read_text())
SHAPES: dict[str, Any] = SERVICE["shapes"]
PAGINATORS: dict[str, Any] = json.loads((MODEL / "paginators-1.json").read_text())["pagination"]
WAITERS: dict[str, Any] = json.loads((MODEL / "waiters-2.json").read_text())["waiters"]

PAGINATE_OPTIONS = ["max_items", "page_size", "starting_token", "progress"]
WAIT_OPTIONS = ["timeout", "delay", "first_delay", "max_attempts", "progress"]


def io_shapes(op: str) -> tuple[dict[str, Any], dict[str, Any]]:
    operation = SERVICE["operations"][op]
    return SHAPES[operation["input"]["shape"]], SHAPES[operation["output"]["shape"]]


def constant(name: str) -> Any:
    return getattr(paginators, "_" + xform_name(name).upper(), None) or getattr(waiters, "_" + xform_name(name).upper())


def keyword_names(function: Any) -> list[str]:
    return [p.name for p in inspect.signature(function).parameters.values() if p.name != "self"]


def test_counts_match_the_issue() -> None:
    assert len(PAGINATORS) == 16
    assert len(WAITERS) == 9


@pytest.mark.parametrize("op", sorted(PAGINATORS))
def test_paginator_keys_exist_in_the_model(op: str) -> None:
    config = PAGINATORS[op]
    assert op in SERVICE["operations"]
    input_shape, output_shape = io_shapes(op)
    inputs, outputs = input_shape["members"], output_shape["members"]
    assert config["input_token"] in inputs
    assert SHAPES[inputs[config["input_token"]]["shape"]]["type"] == "string"
    assert config["output_token"] in outputs
    assert SHAPES[outputs[config["output_token"]]["shape"]]["type"] == "string"
    assert config["limit_key"] in inputs
    assert SHAPES[inputs[config["limit_key"]]["shape"]]["type"] == "integer"
    assert config["result_key"] in outputs
    assert SHAPES[outputs[config["result_key"]]["shape"]]["type"] == "list"
    for key in config.get("non_aggregate_keys", []):
        assert key in outputs


@pytest.mark.parametrize("op", sorted(PAGINATORS))
def test_generated_paginator_matches_the_model(op: str) -> None:
    config = PAGINATORS[op]
    spec = constant(op)
    assert isinstance(spec, PaginatorSpec)
    assert (spec.operation, spec.name) == (op, xform_name(op))
    assert spec.input_token == xform_name(config["input_token"])
    assert spec.limit_key == xform_name(config["limit_key"])
    output_class = getattr(eks_models, SERVICE["operations"][op]["output"]["shape"])
    fields = {f.name for f in dataclasses.fields(output_class)}
    assert {spec.output_token, spec.result_key} <= fields

    client_params = keyword_names(getattr(eksy.EKS, spec.name))
    assert {spec.input_token, spec.limit_key} <= set(client_params)
    expected = [p for p in client_params if p not in (spec.input_token, spec.limit_key)] + PAGINATE_OPTIONS
    for cls in (paginators.EKSPaginators, paginators.AsyncEKSPaginators):
        assert keyword_names(getattr(cls, spec.name)) == expected

    # The item type is the element type of the result list.
    member = SHAPES[SHAPES[SERVICE["operations"][op]["output"]["shape"]]["members"][config["result_key"]]["shape"]]
    element = member["member"]["shape"]
    item = element if SHAPES[element]["type"] == "structure" else "str"
    annotation = inspect.signature(getattr(paginators.EKSPaginators, spec.name)).return_annotation
    assert annotation.startswith(f"Paginator[{item}") and annotation.endswith(f", {output_class.__name__}]")


def resolve(shape_name: str, path: str) -> dict[str, Any]:
    """The shape at a dotted (JMESPath subset) path, flattening ``[]`` steps."""
    shape = SHAPES[shape_name]
    for step in path.split("."):
        name = step.removesuffix("[]")
        assert name in shape["members"], f"{name} not in {shape_name}"
        shape = SHAPES[shape["members"][name]["shape"]]
        if step.endswith("[]"):
            assert shape["type"] == "list"
            shape = SHAPES[shape["member"]["shape"]]
    return shape


@pytest.mark.parametrize("name", sorted(WAITERS))
def test_waiter_acceptors_exist_in_the_model(name: str) -> None:
    config = WAITERS[name]
    op = SERVICE["operations"][config["operation"]]
    errors = {e["shape"] for e in op.get("errors", [])}
    for acceptor in config["acceptors"]:
        assert acceptor["state"] in ("success", "failure", "retry")
        if acceptor["matcher"] == "error":
            assert acceptor["expected"] in errors
            continue
        assert acceptor["matcher"] in ("path", "pathAll", "pathAny")
        target = resolve(op["output"]["shape"], acceptor["argument"])
        if "enum" in target:
            assert acceptor["expected"] in target["enum"], acceptor


@pytest.mark.parametrize("name", sorted(WAITERS))
def test_generated_waiter_matches_the_model(name: str) -> None:
    config = WAITERS[name]
    spec = constant(name)
    assert isinstance(spec, WaiterSpec)
    assert (spec.name, spec.operation, spec.delay, spec.max_attempts) == (
        xform_name(name),
        config["operation"],
        config["delay"],
        config["maxAttempts"],
    )
    assert len(spec.acceptors) == len(config["acceptors"])
    output_shape = SERVICE["operations"][config["operation"]]["output"]["shape"]
    for generated, raw in zip(spec.acceptors, config["acceptors"], strict=True):
        assert (generated.state, generated.matcher, generated.expected) == (
            raw["state"],
            raw["matcher"],
            raw["expected"],
        )
        if raw["matcher"] == "error":
            continue
        # Walk the snake_case path through the generated dataclasses' fields.
        steps = raw["argument"].split(".")
        assert generated.path == tuple(xform_name(s) for s in steps)
        shape = output_shape
        for wire, snake in zip(steps, generated.path, strict=True):
            fields = {f.name for f in dataclasses.fields(getattr(eks_models, shape))}
            assert snake in fields, f"{snake} not a field of {shape}"
            shape = SHAPES[shape]["members"][wire]["shape"]

    op_params = keyword_names(getattr(eksy.EKS, xform_name(config["operation"])))
    for cls in (waiters.EKSWaiters, waiters.AsyncEKSWaiters):
        assert keyword_names(getattr(cls, spec.name)) == op_params + WAIT_OPTIONS
    assert inspect.iscoroutinefunction(getattr(waiters.AsyncEKSWaiters, spec.name))
