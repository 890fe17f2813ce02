"""Writes the model classes: an index module per service that loads, on first access, the module
defining a name (one per group of classes that the same operations' responses hold), and those
modules. A first call then loads only the classes its response holds."""

from __future__ import annotations

import keyword

from emit_python import HEADER, attributes_section, docstring, py_type
from model import Service, py_name

from docs import to_text

# What every model has besides its fields (eksy/_model_base.py): no member may take these names.
MODEL_ATTRIBUTES = frozenset({"metadata", "to_dict"})


def check_names(svc: Service) -> None:
    for name, shape in svc.shapes.items():
        for member in shape.get("members", {}):
            if keyword.iskeyword(py_name(member)):
                raise ValueError(f"{name}.{member} is a Python keyword")
            if py_name(member) in MODEL_ATTRIBUTES:
                raise ValueError(f"{name}.{member} would hide Model.{py_name(member)}")


def model_classes(svc: Service) -> list[str]:
    """Every structure that becomes a model class, in the order the modules list them."""
    structures = svc.model_structures()
    outputs = sorted({s for op in svc.operations if (s := svc.output_shape(op)) and svc.members(s)} - set(structures))
    return structures + outputs


def model_groups(svc: Service) -> dict[str, list[str]]:
    """The model classes split into modules, each loaded on first use: by the operations whose
    response holds them (a first describe_cluster loads Cluster and what only clusters hold, not
    224 classes), or, for classes only ever sent, by the operations that take them. Each module is
    named after the class in it that no other class in it holds."""
    classes = model_classes(svc)
    known = set(classes)
    sent: dict[str, set[str]] = {c: set() for c in classes}
    received: dict[str, set[str]] = {c: set() for c in classes}
    for op in svc.operations:
        output = svc.output_shape(op)
        for shape in svc.reachable([output]) if output else []:
            if shape in known:
                received[shape].add(op)
        shape_in = svc.input_shape(op)
        for shape in svc.reachable([m["shape"] for m in svc.members(shape_in).values()]) if shape_in else []:
            if shape in known:
                sent[shape].add(op)
    by_key: dict[tuple[str, frozenset[str]], list[str]] = {}
    for name in classes:
        key = ("out", frozenset(received[name])) if received[name] else ("in", frozenset(sent[name]))
        by_key.setdefault(key, []).append(name)
    groups: dict[str, list[str]] = {}
    for members in by_key.values():
        held = {ref for name in members for ref in referenced(svc, name) if ref != name}
        roots = sorted(name for name in members if name not in held) or sorted(members)
        module = py_name(roots[0])
        if module in groups or module == "enums":
            raise ValueError(f"two model modules named {module}")
        groups[module] = members
    return dict(sorted(groups.items()))


def referenced(svc: Service, name: str) -> set[str]:
    """The names a model class's annotations use: other classes, enumerations, ``datetime``."""
    found: set[str] = set()

    def visit(shape_name: str) -> None:
        shape = svc.shapes[shape_name]
        kind = shape["type"]
        if kind == "string" and "enum" in shape:
            found.add(shape_name)
        elif kind == "timestamp":
            found.add("datetime")
        elif kind == "list":
            visit(shape["member"]["shape"])
        elif kind == "map":
            visit(shape["value"]["shape"])
        elif kind == "structure" and not shape.get("document"):
            found.add(shape_name)

    for ref in svc.members(name).values():
        visit(ref["shape"])
    return found


def emit_models(svc: Service) -> dict[str, str]:
    """The models of one service, by path under python/eksy/_generated: an index module
    (``{module}_models``) that names every type and loads its defining module on first access,
    the defining modules in the package ``{module}_shapes``, and the enumerations."""
    check_names(svc)
    title = svc.model["metadata"]["serviceFullName"]
    package = f"{svc.module}_shapes"
    groups = model_groups(svc)
    enums = svc.enums()
    homes = {name: "enums" for name in enums}
    homes.update({name: module for module, members in groups.items() for name in members})
    exported = enums + model_classes(svc)
    files = {
        f"{package}/__init__.py": HEADER + f'"""The modules defining the {title} models; see {svc.module}_models."""\n'
    }
    if enums:
        files[f"{package}/enums.py"] = emit_enums(svc, enums)
    for module, members in groups.items():
        files[f"{package}/{module}.py"] = emit_model_module(svc, package, members, homes)
    lines = [
        HEADER,
        f'"""Data types of the {title} API.',
        "",
        f"Each is defined in a module of ``eksy._generated.{package}``, which loads the first time one",
        "of its names is asked for: a first call then loads only the models its response holds.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "TYPE_CHECKING = False",
        "if TYPE_CHECKING:",
    ]
    by_module: dict[str, list[str]] = {}
    for name in exported:
        by_module.setdefault(homes[name], []).append(name)
    # Listed in __all__, so type checkers take them as this module's own.
    for module, names in sorted(by_module.items()):
        lines.append(f"    from eksy._generated.{package}.{module} import {', '.join(names)}")
    lines += ["", "__all__ = ["]
    lines += [f'    "{n}",' for n in exported]
    lines += ["]", "", f"# The module of eksy._generated.{package} that defines each name.", "_HOMES = {"]
    lines += [f'    "{n}": "{homes[n]}",' for n in exported]
    lines += [
        "}",
        "",
        "if not TYPE_CHECKING:",
        "",
        "    def __getattr__(name):",
        "        home = _HOMES.get(name)",
        "        if home is None:",
        '            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        f'        module = __import__(f"eksy._generated.{package}.{{home}}", fromlist=["__all__"])',
        "        for defined in module.__all__:",
        "            globals()[defined] = getattr(module, defined)",
        "        return globals()[name]",
        "",
        "    def __dir__():",
        "        return sorted(set(globals()) | set(__all__))",
    ]
    files[f"{svc.module}_models.py"] = "\n".join(lines) + "\n"
    return files


def emit_enums(svc: Service, enums: list[str]) -> str:
    lines = [
        HEADER,
        f'"""The enumerations of the {svc.model["metadata"]["serviceFullName"]} API, as ``Literal`` types."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Literal",
        "",
        "__all__ = [",
    ]
    lines += [f'    "{n}",' for n in enums]
    lines += ["]", ""]
    for enum in enums:
        values = ", ".join(f'"{v}"' for v in svc.shapes[enum]["enum"])
        lines.append(f"{enum} = Literal[{values}]")
    return "\n".join(lines) + "\n"


def emit_model_module(svc: Service, package: str, members: list[str], homes: dict[str, str]) -> str:
    own = set(members)
    uses = sorted({ref for name in members for ref in referenced(svc, name)} - own)
    lines = [
        HEADER,
        f'"""Models of the {svc.model["metadata"]["serviceFullName"]} API, loaded on first use through',
        f'``eksy._generated.{svc.module}_models``."""',
        "",
        "from __future__ import annotations",
        "",
        "from eksy._model_base import Model, model",
        "",
        "# Annotations only: they stay strings at run time, and typing and datetime load only if needed.",
        "TYPE_CHECKING = False",
    ]
    if uses:
        lines.append("if TYPE_CHECKING:")
        if "datetime" in uses:
            lines.append("    from datetime import datetime")
        imports: dict[str, list[str]] = {}
        for name in uses:
            if name != "datetime":
                imports.setdefault(homes[name], []).append(name)
        for module, names in sorted(imports.items()):
            lines.append(f"    from eksy._generated.{package}.{module} import {', '.join(names)}")
    lines += ["", "__all__ = ["]
    lines += [f'    "{n}",' for n in members]
    lines += ["]", ""]
    for name in members:
        lines += emit_dataclass(svc, name)
    return "\n".join(lines) + "\n"


def emit_dataclass(svc: Service, name: str) -> list[str]:
    doc = to_text(svc.shapes[name].get("documentation"))
    attrs = attributes_section(svc, name, "Attributes")
    full = "\n\n".join(p for p in (doc or f"The {name} data type.", attrs) if p)
    lines = ["", "@model", f"class {name}(Model):", docstring(full, 4), ""]
    required = set(svc.required(name))
    # Secrets (credentials, tokens) must never show in a repr.
    sensitive_shape = bool(svc.shapes[name].get("sensitive"))
    params = []
    hidden_fields = []
    for member in svc.ordered_members(name):
        ref = svc.members(name)[member]
        annotation = py_type(svc, ref["shape"], for_input=False)
        attr = py_name(member)
        if ref.get("sensitive") or svc.shapes[ref["shape"]].get("sensitive") or sensitive_shape:
            hidden_fields.append(attr)
        params.append(f"{attr}: {annotation}" if member in required else f"{attr}: {annotation} | None = None")
    if hidden_fields:
        listed = ", ".join(f'"{n}"' for n in hidden_fields)
        lines += [f"    _hidden_fields = frozenset({{{listed}}})", ""]
    # The fields are declared as the __init__ parameters read.
    lines += [f"    {p}" for p in params]
    names = [py_name(m) for m in svc.ordered_members(name)]
    lines += [
        "",
        "    def __init__(",
        "        self,",
        *(f"        {p}," for p in params),
        "    ) -> None:",
        "        self.__dict__.update(" + ", ".join(f"{n}={n}" for n in names) + ")",
    ]
    if sensitive_shape:
        lines += ["", "    def __repr__(self) -> str:", f'        return "{name}(<sensitive>)"']
    return [*lines, ""]
