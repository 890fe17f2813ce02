"""Copies the EKS and EKS Auth service models out of the pinned botocore into codegen/model/.

The pin lives in pyproject.toml's test dependencies; it is the botocore release whose models
match the pinned aws-sdk-eks / aws-sdk-eksauth crates (same operations and members).

    pip install botocore==<pin> && python codegen/fetch_model.py && python codegen/generate.py
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import botocore

SERVICES = {"eks": "2017-11-01", "eks-auth": "2023-11-26"}
FILES = ("service-2.json", "paginators-1.json", "waiters-2.json")


def read_model_file(source: Path) -> object:
    if source.exists():
        return json.loads(source.read_text())
    with gzip.open(source.with_name(source.name + ".gz")) as handle:
        return json.load(handle)


def main() -> None:
    data = Path(botocore.__file__).parent / "data"
    target_root = Path(__file__).parent / "model"
    for service, version in SERVICES.items():
        target = target_root / service
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name in FILES:
            content = read_model_file(data / service / version / name)
            (target / name).write_text(json.dumps(content, indent=1) + "\n")
    (target_root / "BOTOCORE_VERSION").write_text(botocore.__version__ + "\n")
    print(f"copied models from botocore {botocore.__version__}")


if __name__ == "__main__":
    main()
