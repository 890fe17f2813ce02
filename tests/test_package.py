"""Package-level promises: cheap import, lazy exports."""

from __future__ import annotations

import subprocess
import sys


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
