"""The shape of the Python package, checked from its source: no import cycles, no long files.

Import graph rule. One node per module of python/eksy (``eksy._eksy``, the extension, is a node
without edges). An edge A -> B is any ``import`` statement in A naming B, wherever it stands:
at module level, inside ``try``/``if``, and inside functions and methods. A deferred import
changes when B loads, not that A depends on B, so it counts. Not counted: imports under
``if TYPE_CHECKING:`` (they never run), and the implicit import of parent packages (importing
``eksy.x`` runs ``eksy/__init__.py`` first; counting that would make every module depend on the
root, whose own imports are edges of the root). ``from P import N`` is an edge to the module
``P.N`` when that is a module of the package, else to ``P``. A cycle is a strongly connected
set of two or more modules; the failure names one path around it, with line numbers.

File length rule. A hand-written Python file of the package or of codegen/ (generated files say
``@generated`` in their first line) has at most 400 lines, unless one of its first 15 lines
states why, with the words "Over 400 lines because".
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "python"
MAX_LINES = 400
REASON = "Over 400 lines because"


@dataclass(frozen=True)
class Edge:
    target: str
    line: int


def modules(source_root: Path, package: str) -> dict[str, Path]:
    """Dotted name -> file, for every .py file of ``package`` under ``source_root``."""
    found = {}
    for path in sorted((source_root / package).rglob("*.py")):
        parts = list(path.relative_to(source_root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return ast.unparse(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement of the tree, skipping the bodies of ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]))
        else:
            yield from _imports(node)


def edges(name: str, path: Path, known: set[str]) -> list[Edge]:
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found = []
    for node in _imports(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            while target and target not in known:  # eksy.x.y where only eksy.x is a module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.append(Edge(target, node.lineno))
    return found


def import_graph(source_root: Path, package: str) -> dict[str, list[Edge]]:
    files = modules(source_root, package)
    known = set(files) | {f"{package}._eksy"}
    graph = {name: edges(name, path, known) for name, path in files.items()}
    graph.setdefault(f"{package}._eksy", [])
    return graph


def cycles(graph: dict[str, list[Edge]]) -> list[list[str]]:
    """The strongly connected sets of two or more modules (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = [edge.target for edge in graph[node]]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def describe(component: list[str], graph: dict[str, list[Edge]]) -> str:
    """One path around the cycle: ``a -> b (a line 3) -> a (b line 9)``."""
    members = set(component)
    start = component[0]
    # Breadth-first from start back to start, inside the component.
    paths: dict[str, list[tuple[str, Edge]]] = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for edge in graph[node]:
            if edge.target not in members:
                continue
            path = [*paths[node], (node, edge)]
            if edge.target == start:
                steps = " -> ".join(f"{e.target} ({source} line {e.line})" for source, e in path)
                return f"{start} -> {steps}"
            if edge.target not in paths:
                paths[edge.target] = path
                queue.append(edge.target)
    return " <-> ".join(component)


def test_the_package_has_no_import_cycles() -> None:
    graph = import_graph(PACKAGE, "eksy")
    found = [describe(component, graph) for component in cycles(graph)]
    assert not found, "import cycles (see the rule at the top of this file):\n" + "\n".join(found)


def test_the_graph_sees_the_imports_it_must() -> None:
    """The graph builder finds module-level, deferred and package-attribute imports, and skips
    TYPE_CHECKING ones; without this the cycle check could pass on an empty graph."""
    graph = import_graph(PACKAGE, "eksy")
    targets = {name: {edge.target for edge in found} for name, found in graph.items()}
    assert len(graph) > 20
    assert "eksy._errors" in targets["eksy._wait"]  # module level
    assert "eksy._eksy" in targets["eksy"]  # from eksy import _eksy
    assert "eksy._generated.eks_client" not in targets["eksy"]  # only under TYPE_CHECKING
    assert "eksy._eksy" in targets["eksy._client_base"]  # from eksy._eksy import ClientCore
    assert "eksy._errors" in targets["eksy._generated.errors"]  # generated modules are in the graph


def test_a_cycle_is_found_and_named(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from .sub import c\n")  # deferred counts
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "c.py").write_text("import pkg.a\n")
    (package / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.e\n")
    (package / "e.py").write_text("import pkg.d\n")  # d -> e only for type checking: no cycle
    graph = import_graph(tmp_path, "pkg")
    found = cycles(graph)
    assert found == [["pkg.a", "pkg.b", "pkg.sub.c"]]
    assert (
        describe(found[0], graph)
        == "pkg.a -> pkg.b (pkg.a line 1) -> pkg.sub.c (pkg.b line 2) -> pkg.a (pkg.sub.c line 1)"
    )


def hand_written_python() -> list[Path]:
    files = [*sorted((PACKAGE / "eksy").rglob("*.py")), *sorted((PACKAGE / "eksy").rglob("*.pyi"))]
    files += sorted((ROOT / "codegen").glob("*.py"))
    return [
        path
        for path in files
        if "_generated" not in path.parts and "@generated" not in path.read_text().split("\n", 1)[0]
    ]


@pytest.mark.parametrize("path", hand_written_python(), ids=lambda path: str(path.relative_to(ROOT)))
def test_hand_written_files_stay_short_or_say_why(path: Path) -> None:
    lines = path.read_text().splitlines()
    if len(lines) > MAX_LINES:
        head = "\n".join(lines[:15])
        assert REASON in head, (
            f"{path.relative_to(ROOT)} has {len(lines)} lines (> {MAX_LINES}): split it by concern, or "
            f"state at its top why not, in a line containing {REASON!r}"
        )


# --------------------------------------------------------------------------- the Rust crates
#
# Module graph rule for Rust. One node per module file of a crate (``lib.rs`` is the root,
# ``""``; ``a/mod.rs`` and ``a.rs`` are ``a``; ``src/bin`` holds other crates). An edge A -> B is
# any path in A that names B: ``crate::b::...``, ``super::...`` (from A's parent), ``self::b``,
# or ``b::...`` for a child module ``b`` of A; a path names the longest module it starts with.
# Comments, ``macro_rules!`` bodies (their paths are the expansion site's) and the trailing
# ``#[cfg(test)] mod tests`` block are not read (inside it ``super`` is the file's own module).
# As for Python, a cycle is a strongly connected set of two or more modules, and so a child
# naming its parent's items while the parent names the child is one.

RUST_CRATES = [ROOT / "src", ROOT / "crates" / "eksy-emulator" / "src", ROOT / "benches" / "native" / "src"]
RUST_REASON = "Over 400 lines because"


def rust_modules(src: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(src.rglob("*.rs")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[0] == "bin" or parts == ["main"]:
            continue
        if parts == ["lib"]:
            parts = []
        elif parts[-1] == "mod":
            parts.pop()
        found["::".join(parts)] = path
    return found


def _without_macro_bodies(text: str) -> str:
    """``macro_rules!`` bodies blanked (newlines kept): their paths are what the caller's
    expansion reaches (``$crate::conv::FromPy``), not what the defining module uses."""
    out = []
    start = 0
    while (found := text.find("macro_rules!", start)) >= 0:
        brace = text.find("{", found)
        depth, end = 0, brace
        for end in range(brace, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        out.append(text[start:brace])
        out.append("".join(c if c == "\n" else " " for c in text[brace : end + 1]))
        start = end + 1
    out.append(text[start:])
    return "".join(out)


def _rust_source(path: Path) -> list[str]:
    """The file's lines without comments and macro bodies, up to its inline test module."""
    text = path.read_text()
    cut = text.find("#[cfg(test)]\nmod tests")
    if cut >= 0:
        text = text[:cut]
    text = "\n".join(re.sub(r"//.*", "", line) for line in text.splitlines())
    return _without_macro_bodies(text).splitlines()


def rust_edges(name: str, path: Path, known: set[str]) -> list[Edge]:
    own = name.split("::") if name else []
    parent = own[:-1]
    found: dict[str, int] = {}

    def note(segments: list[str], line: int) -> None:
        for k in range(len(segments), 0, -1):
            candidate = "::".join(segments[:k])
            if candidate in known:
                if candidate != name and candidate not in found:
                    found[candidate] = line
                return

    lines = _rust_source(path)
    path_re = re.compile(r"(?<![\w:])(crate|super|self|[a-z_][a-z0-9_]*)((?:::[A-Za-z_][A-Za-z0-9_]*)+|::\{)")
    for number, line in enumerate(lines, 1):
        for match in path_re.finditer(line):
            head, rest = match.group(1), match.group(2)
            tail = [] if rest == "::{" else rest.strip(":").split("::")
            if head == "crate":
                note(tail, number)
            elif head == "super":
                if rest != "::{" and tail and tail[0] == "super":
                    continue  # super::super paths: none in these crates
                if tail:
                    note([*parent, *tail], number)
                else:
                    note(parent, number)
            elif head == "self":
                note([*own, *tail], number)
            elif "::".join([*own, head]) in known:
                note([*own, head, *tail], number)
    # `use crate::{...}`, `super::{...}` and `self::{...}` lists, which often span lines.
    text = "\n".join(lines)
    for match in re.finditer(r"\b(crate|super|self)::\{([^}]*)\}", text, re.S):
        base = {"crate": [], "super": parent, "self": own}[match.group(1)]
        line = text.count("\n", 0, match.start()) + 1
        for item in match.group(2).split(","):
            first = item.strip().split("::")[0].split(" ")[0]
            if first and first != "self":
                note([*base, first], line)
    return [Edge(target, line) for target, line in found.items()]


def rust_graph(src: Path) -> dict[str, list[Edge]]:
    files = rust_modules(src)
    known = set(files)
    return {name: rust_edges(name, path, known) for name, path in files.items()}


@pytest.mark.parametrize("src", RUST_CRATES, ids=lambda src: str(src.relative_to(ROOT)))
def test_the_rust_crates_have_no_module_cycles(src: Path) -> None:
    graph = rust_graph(src)
    shown = {
        name or "(crate root)": [Edge(e.target or "(crate root)", e.line) for e in found]
        for name, found in graph.items()
    }
    found = [describe(component, shown) for component in cycles(shown)]
    assert not found, "Rust module cycles (see the rule above this test):\n" + "\n".join(found)


def test_the_rust_graph_sees_the_paths_it_must() -> None:
    graph = rust_graph(ROOT / "crates" / "eksy-emulator" / "src")
    targets = {name: {edge.target for edge in found} for name, found in graph.items()}
    assert len(graph) > 40
    assert "state" in targets["service::context"]  # use crate::state::{...}
    assert "service::context" in targets["service::clusters"]  # use super::context::{...}
    assert "service::context" in targets["service"]  # pub use context::Ctx (a child, by name)
    assert "kube::host" in targets[""]  # the crate root names kube::host::KubeHost


def hand_written_rust() -> list[Path]:
    files = [path for src in RUST_CRATES for path in sorted(src.rglob("*.rs"))]
    return [path for path in files if "@generated" not in path.read_text().split("\n", 1)[0]]


@pytest.mark.parametrize("path", hand_written_rust(), ids=lambda path: str(path.relative_to(ROOT)))
def test_hand_written_rust_files_stay_short_or_say_why(path: Path) -> None:
    lines = path.read_text().splitlines()
    if len(lines) > MAX_LINES:
        head = "\n".join(lines[:15])
        assert RUST_REASON in head, (
            f"{path.relative_to(ROOT)} has {len(lines)} lines (> {MAX_LINES}): split it by concern, or "
            f"state at its top why not, in a line containing {RUST_REASON!r}"
        )
