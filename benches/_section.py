"""The command line every section script of the harness shares (token, state and scaling):
``--quick`` and ``--json FILE``, the section's text on stdout and its figures as JSON."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def section_main(
    doc: str | None, quick_help: str, section: Callable[..., tuple[str, dict[str, Any]]], argv: list[str] | None
) -> int:
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help=quick_help)
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = ap.parse_args(argv)
    text, figures = section(quick=args.quick)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0
