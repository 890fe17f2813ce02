"""Loads the pinned botocore service models and answers questions about their shapes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore import xform_name

MODEL_DIR = Path(__file__).parent / "model"


@dataclass
class Service:
    key: str  # "eks" or "eks-auth"
    rust_crate: str  # "aws_sdk_eks"
    module: str  # python models module suffix, e.g. "eks"
    model: dict[str, Any]
    paginators: dict[str, Any] = field(default_factory=dict)
    waiters: dict[str, Any] = field(default_factory=dict)

    @property
    def shapes(self) -> dict[str, Any]:
        return self.model["shapes"]

    @property
    def operations(self) -> list[str]:
        return sorted(self.model["operations"])

    def op(self, name: str) -> dict[str, Any]:
        return self.model["operations"][name]

    def input_shape(self, op: str) -> str | None:
        ref = self.op(op).get("input")
        return ref["shape"] if ref else None

    def output_shape(self, op: str) -> str | None:
        ref = self.op(op).get("output")
        return ref["shape"] if ref else None

    def uri_bindings(self, op: str) -> dict[str, tuple[str, str]]:
        """Input members sent in the request URI: member -> ("label" or "query", wire name)."""
        shape = self.input_shape(op)
        bindings = {}
        for member, ref in (self.members(shape) if shape else {}).items():
            location = ref.get("location")
            if location in ("uri", "querystring"):
                kind = "label" if location == "uri" else "query"
                bindings[member] = (kind, ref.get("locationName", member))
        return bindings

    def uri_fixed_length(self, op: str) -> int:
        """Bytes of the request URI template outside its {labels}."""
        template = self.op(op)["http"]["requestUri"]
        if "+}" in template or "?" in template:
            raise ValueError(f"{op}: greedy labels and literal queries are not measured: {template}")
        return len(re.sub(r"\{[^}]*\}", "", template))

    def error_shapes(self, op: str) -> list[str]:
        return [e["shape"] for e in self.op(op).get("errors", [])]

    def members(self, shape: str) -> dict[str, Any]:
        return self.shapes[shape].get("members", {})

    def required(self, shape: str) -> list[str]:
        return self.shapes[shape].get("required", [])

    def ordered_members(self, shape: str) -> list[str]:
        """Required members first (dataclass fields without defaults), model order otherwise."""
        names = list(self.members(shape))
        req = set(self.required(shape))
        return [n for n in names if n in req] + [n for n in names if n not in req]

    def is_exception(self, shape: str) -> bool:
        return bool(self.shapes[shape].get("exception"))

    def is_enum(self, shape: str) -> bool:
        return self.shapes[shape]["type"] == "string" and "enum" in self.shapes[shape]

    def reachable(self, roots: list[str]) -> list[str]:
        """Structure and enum shapes reachable from the roots (roots included), in visit order."""
        seen: list[str] = []
        stack = list(roots)
        while stack:
            name = stack.pop(0)
            if name in seen:
                continue
            shape = self.shapes[name]
            seen.append(name)
            kind = shape["type"]
            if kind == "structure":
                stack.extend(m["shape"] for m in shape.get("members", {}).values())
            elif kind == "list":
                stack.append(shape["member"]["shape"])
            elif kind == "map":
                stack.extend([shape["key"]["shape"], shape["value"]["shape"]])
        return seen

    def input_structures(self) -> list[str]:
        """Nested structures that callers pass in (operation inputs themselves excluded)."""
        roots: list[str] = []
        for op in self.operations:
            shape = self.input_shape(op)
            if shape:
                roots.extend(m["shape"] for m in self.members(shape).values())
        return sorted(s for s in self.reachable(roots) if self.shapes[s]["type"] == "structure")

    def output_structures(self) -> list[str]:
        roots = [s for op in self.operations if (s := self.output_shape(op))]
        return sorted(s for s in self.reachable(roots) if self.shapes[s]["type"] == "structure")

    def enums(self) -> list[str]:
        return sorted(n for n in self.shapes if self.is_enum(n))

    def model_structures(self) -> list[str]:
        """Every structure that becomes a Python dataclass."""
        names = set(self.input_structures()) | set(self.output_structures())
        # Operations without output members return None rather than an empty model.
        empty_outputs = {s for op in self.operations if (s := self.output_shape(op)) and not self.members(s)}
        return sorted(n for n in names if not self.is_exception(n) and n not in empty_outputs)

    def exceptions(self) -> list[str]:
        return sorted(n for n in self.shapes if self.is_exception(n))


def py_name(member: str) -> str:
    return xform_name(member)


def rust_field(member: str) -> str:
    name = xform_name(member)
    return "r#" + name if name in RUST_KEYWORDS else name


RUST_KEYWORDS = {
    "type",
    "match",
    "ref",
    "self",
    "mod",
    "fn",
    "impl",
    "struct",
    "enum",
    "loop",
    "move",
    "box",
    "where",
    "async",
    "await",
    "dyn",
    "as",
    "in",
    "for",
    "if",
    "else",
    "crate",
    "super",
    "static",
    "const",
    "trait",
    "unsafe",
    "extern",
    "let",
    "mut",
    "pub",
    "return",
    "while",
    "break",
    "continue",
    "yield",
    "use",
    "try",
}


def _load_json(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        data: dict[str, Any] = json.load(handle)
        return data


def load_services() -> list[Service]:
    services = []
    for key, crate, module in [("eks", "aws_sdk_eks", "eks"), ("eks-auth", "aws_sdk_eksauth", "eksauth")]:
        folder = MODEL_DIR / key
        services.append(
            Service(
                key=key,
                rust_crate=crate,
                module=module,
                model=_load_json(folder / "service-2.json"),
                paginators=_load_json(folder / "paginators-1.json").get("pagination", {}),
                waiters=_load_json(folder / "waiters-2.json").get("waiters", {}),
            )
        )
    return services
