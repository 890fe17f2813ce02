"""Every operation of both service models has behaviour in the emulator."""

from __future__ import annotations

import json


def test_every_operation_is_implemented() -> None:
    """No operation of either model is left answering NotImplementedException."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    dispatch = (root / "crates/eksy-emulator/src/service/mod.rs").read_text()
    for service in ("eks", "eks-auth"):
        model = json.loads((root / f"codegen/model/{service}/service-2.json").read_text())
        for name in model["operations"]:
            assert f'"{name}" =>' in dispatch, name
