"""docs/emulator-rules.md stays complete and true to the tests: every operation of both models has
a row, every row names a test, and every test it names exists."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "docs" / "emulator-rules.md"
TESTS = Path(__file__).resolve().parent
COLUMNS = ["ID", "Rule", "Operation(s)", "Reference", "Error (code: message)", "Test"]


def rows() -> list[dict[str, str]]:
    """The table's rows (every Markdown table in the file has the same columns)."""
    found = []
    for line in TABLE.read_text().splitlines():
        if not line.startswith("| ") or line.startswith("|--") or line.startswith("| ID |"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        assert len(cells) == len(COLUMNS), line
        found.append(dict(zip(COLUMNS, cells, strict=True)))
    return found


def model_operations() -> set[str]:
    names: set[str] = set()
    for model in (ROOT / "codegen" / "model").glob("*/service-2.json"):
        names |= set(json.loads(model.read_text())["operations"])
    return names


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")
    }


def test_the_table_has_all_its_columns_and_unique_ids() -> None:
    ids = [row["ID"] for row in rows()]
    assert len(ids) > 100
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_every_operation_of_both_models_has_a_row() -> None:
    operations = model_operations()
    assert len(operations) == 71
    named: set[str] = set()
    for row in rows():
        named |= set(re.findall(r"\b[A-Z][A-Za-z]+\b", row["Operation(s)"]))
    assert operations - named == set()
    assert named - operations == set(), "rows name operations the models do not have"


def test_every_row_names_tests_that_exist() -> None:
    defined: dict[str, set[str]] = {}
    for row in rows():
        named = re.findall(r"(test_\w+\.py)::(test_\w+)", row["Test"])
        assert named, f"row {row['ID']} names no test"
        for file, function in named:
            path = TESTS / file
            assert path.is_file(), f"row {row['ID']}: no {file}"
            if file not in defined:
                defined[file] = defined_tests(path)
            assert function in defined[file], f"row {row['ID']}: {file} has no {function}"
