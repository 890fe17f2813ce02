"""Generated code is committed; it must match what the generator makes from the pinned models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import botocore
import botocore.loaders
import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_generated_files_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "codegen" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", ["eks", "eks-auth"])
def test_vendored_model_is_the_pinned_botocore_model(service: str) -> None:
    pinned = (ROOT / "codegen" / "model" / "BOTOCORE_VERSION").read_text().strip()
    assert botocore.__version__ == pinned, f"install botocore=={pinned} (the test pin) to compare models"
    loader = botocore.loaders.Loader()
    for kind in ("service-2", "paginators-1", "waiters-2"):
        installed = loader.load_service_model(service, kind)
        vendored = json.loads((ROOT / "codegen" / "model" / service / f"{kind}.json").read_text())
        assert vendored == installed, f"{service}/{kind} differs; fix: python codegen/fetch_model.py"
