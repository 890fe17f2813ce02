"""Generates every per-operation and per-shape file of eksy from the pinned service models.

python codegen/generate.py          # rewrite the generated files
python codegen/generate.py --check  # exit 1 and show what differs (the drift check)
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import emit_emulator
import emit_kinds
import emit_models
import emit_paginate
import emit_python
import emit_rust
from model import load_services

ROOT = Path(__file__).resolve().parent.parent
# Directories holding only generated files: a generated file there that render() no longer makes
# is stale (its emitter was removed), so --check reports it and a run deletes it.
GENERATED_DIRS = [
    ROOT / "python/eksy/_generated",
    ROOT / "python/eksy/_generated/eks_shapes",
    ROOT / "python/eksy/_generated/eksauth_shapes",
    ROOT / "src/generated",
    ROOT / "crates/eksy-emulator/src/generated",
]


def strip_docs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_docs(v) for k, v in value.items() if k != "documentation"}
    if isinstance(value, list):
        return [strip_docs(v) for v in value]
    return value


def render() -> dict[Path, str]:
    services = load_services()
    files: dict[Path, str] = {}
    rust_mods = []
    for svc in services:
        files[ROOT / f"src/generated/{svc.module}.rs"] = emit_rust.emit_service(svc)
        rust_mods.append(svc.module)
        for name, text in emit_models.emit_models(svc).items():
            files[ROOT / "python/eksy/_generated" / name] = text
        files[ROOT / f"python/eksy/_generated/{svc.module}_inputs.py"] = emit_python.emit_inputs(svc)
    files[ROOT / "src/generated/mod.rs"] = emit_rust.HEADER + "".join(f"pub mod {m};\n" for m in rust_mods)
    files[ROOT / "python/eksy/_generated/__init__.py"] = emit_python.HEADER + '"""Generated code; see codegen/."""\n'
    for svc in services:
        files[ROOT / f"python/eksy/_generated/{svc.module}_client.py"] = emit_python.emit_clients(svc, False)
        files[ROOT / f"python/eksy/_generated/{svc.module}_async_client.py"] = emit_python.emit_clients(svc, True)
    files[ROOT / "python/eksy/_generated/errors.py"] = emit_python.emit_errors(services)
    files[ROOT / "python/eksy/_generated/paginators.py"] = emit_paginate.emit_paginators(services)
    files[ROOT / "python/eksy/_generated/waiters.py"] = emit_paginate.emit_waiters(services)
    wire = {"@generated": "by codegen/generate.py from the botocore service models; do not edit"}
    wire.update({svc.key: strip_docs(svc.model) for svc in services})
    files[ROOT / "crates/eksy-emulator/src/generated/ops.rs"] = emit_emulator.emit_ops(services)
    kinds = emit_kinds.load()
    files[ROOT / "crates/eksy-emulator/src/generated/kinds.rs"] = emit_kinds.emit_rust(kinds)
    files[ROOT / "python/eksy/_generated/resource_kinds.py"] = emit_kinds.emit_python(kinds)
    files[ROOT / "crates/eksy-emulator/src/generated/wire_model.json"] = (
        json.dumps(wire, separators=(",", ":"), sort_keys=True) + "\n"
    )
    return files


def orphans(files: dict[Path, str]) -> list[Path]:
    """Generated files in GENERATED_DIRS that render() does not make (hand-written ones are left alone)."""
    found = []
    for directory in GENERATED_DIRS:
        for path in sorted(directory.glob("*")):
            if path.is_file() and path not in files and "@generated" in path.read_text(errors="replace")[:200]:
                found.append(path)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    files = render()
    if args.check:
        stale = []
        for path, text in sorted(files.items()):
            current = path.read_text() if path.exists() else ""
            if current != text:
                stale.append(path)
                diff = difflib.unified_diff(
                    current.splitlines(), text.splitlines(), str(path), "generated", lineterm=""
                )
                print("\n".join(list(diff)[:40]))
        for path in orphans(files):
            stale.append(path)
            print(f"{path}: generated, but no emitter makes it any more")
        if stale:
            print(f"\n{len(stale)} generated file(s) are stale. Fix: python codegen/generate.py && git add -A")
            return 1
        print(f"generated code is up to date ({len(files)} files)")
        return 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    removed = orphans(files)
    for path in removed:
        path.unlink()
    print(f"wrote {len(files)} files" + (f", removed {len(removed)} stale ones" if removed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
