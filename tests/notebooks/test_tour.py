"""examples/tour.ipynb runs on a real Jupyter kernel (ipykernel on this interpreter) without an
error, and what it displays is what a notebook user sees: HTML tables for models, errors and
rows, and no secret anywhere in its outputs."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat", reason="the tour needs nbformat (pip install eksy[test])")
nbclient = pytest.importorskip("nbclient", reason="the tour needs nbclient (pip install eksy[test])")
pytest.importorskip("ipykernel", reason="the tour needs ipykernel (pip install eksy[test])")
kernelspec = pytest.importorskip("jupyter_client.kernelspec", reason="the tour needs jupyter_client")
manager = pytest.importorskip("jupyter_client.manager", reason="the tour needs jupyter_client")

from html_tree import Node, parse  # noqa: E402

TOUR = Path(__file__).resolve().parents[2] / "examples" / "tour.ipynb"
KERNEL = "eksy-tour"
SECRETS_MARK = "eksy-tour-secrets:"

# Appended to the executed copy only: reveals the secrets the tour held, so that the test can
# check that none of them was displayed by the tour's own cells.
REVEAL = f"""
import json as _json
_values = [getattr(pod_credentials.credentials, name) for name in
           ("access_key_id", "secret_access_key", "session_token")]
print({SECRETS_MARK!r} + _json.dumps([*_values, token.token]))
"""


def kernel_manager(directory: Path) -> Any:
    """A kernel manager for ipykernel on sys.executable, whatever kernels Jupyter has installed."""
    spec_dir = directory / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "eksy tour",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    specs = kernelspec.KernelSpecManager(kernel_dirs=[str(directory / "kernels")], ensure_native_kernel=False)
    return manager.KernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    notebook = nbformat.read(TOUR, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(REVEAL))
    km = kernel_manager(tmp_path_factory.mktemp("kernel"))
    client = nbclient.NotebookClient(
        notebook,
        km=km,
        timeout=120,
        allow_errors=False,
        resources={"metadata": {"path": str(TOUR.parent)}},
    )
    client.execute()
    return notebook


def test_tour_is_stored_without_outputs() -> None:
    notebook = nbformat.read(TOUR, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def outputs(notebook: Any) -> list[tuple[str, Any]]:
    """(cell source, output) of every output of the tour's own cells."""
    return [(cell.source, out) for cell in notebook.cells[:-1] if cell.cell_type == "code" for out in cell.outputs]


def html_outputs(notebook: Any) -> list[tuple[str, Node]]:
    return [
        (source, parse(out["data"]["text/html"]))
        for source, out in outputs(notebook)
        if out.get("output_type") in ("execute_result", "display_data") and "text/html" in out.get("data", {})
    ]


def of_class(notebook: Any, css_class: str) -> list[tuple[str, Node]]:
    return [(source, tree) for source, tree in html_outputs(notebook) if tree.find(class_=css_class)]


def test_every_cell_ran_without_error(executed: Any) -> None:
    errors = [out for _, out in outputs(executed) if out.get("output_type") == "error"]
    assert errors == []
    for cell in executed.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None


def test_a_model_shows_as_a_table(executed: Any) -> None:
    models = of_class(executed, "eksy-model")
    cluster = next(tree for source, tree in models if source.rstrip().endswith("\ncluster"))
    box = cluster.find(class_="eksy-model")
    assert box is not None
    table = box.child("table")
    keys = [row.child("th").text() for row in table.rows()]
    assert keys[:3] == ["name", "arn", "created_at"] and "resources_vpc_config" in keys
    status = dict(zip(keys, table.rows(), strict=True))["status"]
    assert status.child("td").text() == "ACTIVE"
    assert status.child("td").find("span") is not None, "the status is a badge"
    assert cluster.find("details") is not None, "nested members are collapsible sections"


def test_an_error_shows_its_code_status_and_fields(executed: Any) -> None:
    (source, tree), *_ = of_class(executed, "eksy-error")
    assert "no-such-cluster" in source
    text = tree.text()
    for expected in ("ResourceNotFoundException", "HTTP 404", "request_id", "DescribeCluster", "no-such-cluster"):
        assert expected in text


def test_rows_show_as_a_table(executed: Any) -> None:
    tables = of_class(executed, "eksy-rows")
    headers = [[th.text() for th in tree.find_all("th")] for _, tree in tables]
    assert ["name"] in headers
    assert any("resources_vpc_config.subnet_ids" in columns for columns in headers)
    assert any("scaling_config.desired_size" in columns for columns in headers)


def test_a_client_shows_region_and_endpoint(executed: Any) -> None:
    (_, tree), *_ = of_class(executed, "eksy-client")
    assert "us-west-2" in tree.text() and "http://127.0.0.1:" in tree.text()


def test_progress_lines_were_shown_and_cleared(executed: Any) -> None:
    waits = [cell for cell in executed.cells if cell.cell_type == "code" and "progress=True" in cell.source]
    assert len(waits) == 3
    for cell in waits:
        lines = [out for out in cell.outputs if out.get("output_type") == "display_data"]
        assert lines, "a progress display was opened"
        assert all(out["data"].get("text/plain", "") == "" for out in lines), "and emptied at the end"


def test_no_secret_in_any_output(executed: Any) -> None:
    reveal = executed.cells[-1].outputs
    printed = "".join(out.get("text", "") for out in reveal)
    secrets = json.loads(printed.split(SECRETS_MARK, 1)[1])
    assert len(secrets) == 4 and all(len(secret) >= 16 for secret in secrets)
    assert secrets[-1].startswith("k8s-aws-v1.")
    shown = json.dumps([out for _, out in outputs(executed)])
    for secret in secrets:
        assert secret not in shown
        assert secret[-24:] not in shown, "not even a part of it"
    assert "&lt;sensitive&gt;" in shown and "Credentials(<sensitive>)" in shown


def test_the_kubernetes_token_shows_masked(executed: Any) -> None:
    cell = next(cell for cell in executed.cells if cell.cell_type == "code" and "get_token(" in cell.source)
    (result,) = [out for out in cell.outputs if out.get("output_type") == "execute_result"]
    assert result["data"]["text/plain"].startswith("Token(expires_at=")
    assert "token=<redacted>" in result["data"]["text/plain"]


def test_the_clusters_kubernetes_api_answers_from_the_notebook(executed: Any) -> None:
    cell = next(cell for cell in executed.cells if cell.cell_type == "code" and "list_node()" in cell.source)
    (result,) = [out for out in cell.outputs if out.get("output_type") == "execute_result"]
    version, nodes = ast.literal_eval(result["data"]["text/plain"])
    assert version.startswith("v1.") and "-eks-" in version
    assert len(nodes) == 2, "the node group's desired size"
