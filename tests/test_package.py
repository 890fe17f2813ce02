"""Package-level promises: cheap import, lazy exports."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_eksy_loads_neither_asyncio_nor_models() -> None:
    code = (
        "import sys, eksy; "
        "print(sorted(m for m in ('asyncio', 'eksy._generated.eks_models', 'eksy._generated.eks_client', 'boto3') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lazy_exports_resolve() -> None:
    import eksy

    assert issubclass(eksy.WaiterTimeoutError, eksy.WaiterError)
    assert issubclass(eksy.WaiterError, eksy.EksError)
    assert issubclass(eksy.PaginationError, eksy.EksError)
    from eksy import EKS, AsyncEKS, Paginator  # noqa: F401


def test_progress_types_come_from_a_public_module() -> None:
    import eksy
    from eksy.progress import Outcome, PageProgress, ProgressOption, WaitProgress

    assert eksy.WaitProgress is WaitProgress and eksy.PageProgress is PageProgress
    assert set(eksy.progress.__all__) == {"Outcome", "PageProgress", "ProgressOption", "WaitProgress"}
    assert Outcome is not None and ProgressOption is not None
    # The generated waiters and paginators hand out these very classes.
    from eksy._generated import paginators, waiters

    assert waiters.WaitProgress is WaitProgress and paginators.PageProgress is PageProgress


def test_every_public_exception_is_defined_in_the_errors_modules() -> None:
    import eksy

    exceptions = [getattr(eksy, name) for name in eksy.__all__]
    exceptions = [value for value in exceptions if isinstance(value, type) and issubclass(value, BaseException)]
    assert {"WaiterError", "WaiterTimeoutError", "PaginationError", "ServiceError"} <= {e.__name__ for e in exceptions}
    misplaced = [e.__qualname__ for e in exceptions if e.__module__ not in ("eksy._errors", "eksy._generated.errors")]
    assert misplaced == []
    # The old homes still name the same classes, for code that imported them from there.
    from eksy import _paginate, _wait

    assert _wait.WaiterError is eksy.WaiterError and _paginate.PaginationError is eksy.PaginationError


def test_one_version_for_metadata_package_and_extension() -> None:
    import eksy

    assert importlib.metadata.version("eksy") == eksy.__version__ == eksy._eksy.__version__


def test_the_version_is_written_once_in_cargo_toml() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    workspace = tomllib.loads((ROOT / "Cargo.toml").read_text())
    version = workspace["workspace"]["package"]["version"]
    import eksy

    assert eksy.__version__ == version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    for member in workspace["workspace"]["members"]:
        package = tomllib.loads((ROOT / member / "Cargo.toml").read_text())["package"]
        assert package["version"] == {"workspace": True}, member
