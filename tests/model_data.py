"""Sample values derived from the service model, in both wire form (boto3) and eksy form."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from botocore import xform_name

MODEL_DIR = Path(__file__).resolve().parent.parent / "codegen" / "model"
SAMPLE_TIME = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@cache
def service_model(service: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((MODEL_DIR / service / "service-2.json").read_text())
    return data


def operations(service: str) -> list[str]:
    return sorted(service_model(service)["operations"])


def _sample_string(shape: dict[str, Any], hint: str) -> str:
    if "enum" in shape:
        return str(shape["enum"][0])
    text = "".join(ch for ch in hint.lower() if ch.isalnum()) or "value"
    text = text + "1"
    low, high = shape.get("min", 1), shape.get("max", 64)
    while len(text) < low:
        text += "x"
    return text[:high]


def wire_sample(service: str, shape_name: str, hint: str = "value") -> Any:
    """A value for `shape_name` with every member set, as boto3 takes and returns it."""
    shapes = service_model(service)["shapes"]
    shape = shapes[shape_name]
    kind = shape["type"]
    if kind == "string":
        return _sample_string(shape, hint)
    if kind in ("integer", "long"):
        low = shape.get("min", 1)
        return max(low, min(shape.get("max", 3), 3))
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return SAMPLE_TIME
    if kind == "list":
        count = max(1, shape.get("min", 1))
        return [wire_sample(service, shape["member"]["shape"], hint) for _ in range(count)]
    if kind == "map":
        return {"Key-1": wire_sample(service, shape["value"]["shape"], hint)}
    if kind == "structure":
        return {name: wire_sample(service, ref["shape"], name) for name, ref in shape.get("members", {}).items()}
    raise ValueError(f"no sample for {kind}")


def to_snake(service: str, shape_name: str, value: Any) -> Any:
    """Renames structure members to eksy's snake_case; map keys and values stay as they are."""
    shape = service_model(service)["shapes"][shape_name]
    kind = shape["type"]
    if kind == "structure" and isinstance(value, dict):
        members = shape.get("members", {})
        return {
            xform_name(name): to_snake(service, members[name]["shape"], item)
            for name, item in value.items()
            if name in members
        }
    if kind == "list" and isinstance(value, list):
        return [to_snake(service, shape["member"]["shape"], item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: to_snake(service, shape["value"]["shape"], item) for key, item in value.items()}
    return value


def to_json_body(service: str, shape_name: str, value: Any) -> Any:
    """The wire JSON of a sample (timestamps as epoch seconds) for canned responses."""
    shape = service_model(service)["shapes"][shape_name]
    kind = shape["type"]
    if kind == "structure":
        members = shape.get("members", {})
        return {
            members[name].get("locationName", name): to_json_body(service, members[name]["shape"], item)
            for name, item in value.items()
            if "location" not in members[name]
        }
    if kind == "list":
        return [to_json_body(service, shape["member"]["shape"], item) for item in value]
    if kind == "map":
        return {key: to_json_body(service, shape["value"]["shape"], item) for key, item in value.items()}
    if kind == "timestamp":
        return int(value.timestamp())
    return value


def input_sample(service: str, operation: str) -> dict[str, Any]:
    op = service_model(service)["operations"][operation]
    if "input" not in op:
        return {}
    sample: dict[str, Any] = wire_sample(service, op["input"]["shape"])
    return sample


def output_shape(service: str, operation: str) -> str | None:
    op = service_model(service)["operations"][operation]
    return op["output"]["shape"] if "output" in op else None


def error_shapes(service: str, operation: str) -> list[str]:
    return [e["shape"] for e in service_model(service)["operations"][operation].get("errors", [])]


ALL_OPERATIONS = [("eks", op) for op in operations("eks")] + [("eks-auth", op) for op in operations("eks-auth")]
