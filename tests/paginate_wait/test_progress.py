"""The live progress displays: a real pseudo-terminal (pty) running a waiter and a paginator
with ``progress=True``, plus the tqdm, Jupyter and non-terminal variants with fakes."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
import textwrap
import time
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from eksy import _progress
from eksy._progress import Reporter, format_elapsed, open_display
from eksy.progress import PageProgress


def screen(output: str) -> list[str]:
    """What a terminal shows after ``output``: carriage returns overwrite the line."""
    lines: list[list[str]] = [[]]
    column = 0
    for char in output:
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append([])
            column = 0
        else:
            line = lines[-1]
            if column < len(line):
                line[column] = char
            else:
                line.append(char)
            column += 1
    return ["".join(line).rstrip() for line in lines]


SCRIPT = textwrap.dedent(
    """
    import sys
    if sys.argv[1] == "plain":
        sys.modules["tqdm"] = None  # as if not installed
    from eksy.testing import LocalEKS

    with LocalEKS() as local:
        eks = local.client()
        for i in range(30):
            eks.create_cluster(
                name=f"c{i:02d}",
                role_arn="arn:aws:iam::123456789012:role/r",
                resources_vpc_config={"subnet_ids": ["subnet-a", "subnet-b"]},
            )
        local.set_timings(cluster_create=0.4)
        eks.create_cluster(
            name="slow",
            role_arn="arn:aws:iam::123456789012:role/r",
            resources_vpc_config={"subnet_ids": ["subnet-a", "subnet-b"]},
        )
        names = list(eks.paginate.list_clusters(page_size=3, progress=True))
        print(f"LISTED {len(names)}", flush=True)
        result = eks.wait.cluster_active(name="slow", delay=0.05, progress=True)
        print(f"DONE {result.cluster.status}", flush=True)
    """
)


def run_in_pty(variant: str) -> str:
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, variant], stdin=secondary, stdout=secondary, stderr=secondary, close_fds=True
    )
    os.close(secondary)
    chunks = []
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            try:
                data = os.read(main, 4096)
            except OSError:  # EIO: the child side closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(main)
        assert process.wait(10) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode()


@pytest.mark.parametrize("variant", ["plain", "tqdm"])
def test_progress_true_in_a_terminal_shows_status_and_clears_itself(variant: str) -> None:
    if variant == "tqdm":
        pytest.importorskip("tqdm")
    output = run_in_pty(variant)
    # While running, the live line showed the paginator's pages and the waiter's status...
    assert "list_clusters: page 11, 31 items" in output
    assert "cluster_active(name='slow'): CREATING, attempt 1" in output
    assert "cluster_active(name='slow'): ACTIVE" in output
    # ...and afterwards nothing of it is left on the screen.
    assert [line for line in screen(output) if line] == ["LISTED 31", "DONE ACTIVE"]


def test_plain_line_rewrites_and_erases() -> None:
    stream = io.StringIO()
    line = _progress._PlainLine(stream)
    line.show("CREATING, attempt 1", "CREATING")
    line.show("ACTIVE", "ACTIVE")
    assert screen(stream.getvalue()) == ["ACTIVE"]
    line.close()
    assert screen(stream.getvalue()) == [""]
    line.show("x" * 500, "")
    assert len(screen(stream.getvalue())[0]) == 79  # cut to the width, so \r can rewrite it


def test_not_a_terminal_logs_status_changes_only() -> None:
    stream = io.StringIO()
    display = open_display(stream)
    for text, key in [("a 1", "CREATING"), ("a 2", "CREATING"), ("b 3", "ACTIVE")]:
        display.show(text, key)
    display.close()
    assert stream.getvalue() == "a 1\nb 3\n"


class TtyStream(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_tqdm_is_used_on_a_terminal_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, Any]] = []

    class FakeTqdm:
        def __init__(self, **kwargs: Any) -> None:
            calls.append(("init", kwargs))

        def set_description_str(self, text: str, refresh: bool) -> None:
            calls.append(("show", text))

        def close(self) -> None:
            calls.append(("close", None))

    module = ModuleType("tqdm")
    module.tqdm = FakeTqdm  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm", module)
    stream = TtyStream()
    display = open_display(stream)
    display.show("hello", "k")
    display.close()
    assert calls[0][0] == "init" and calls[0][1]["leave"] is False and calls[0][1]["file"] is stream
    assert calls[1:] == [("show", "hello"), ("close", None)]


def test_plain_line_on_a_terminal_without_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    assert isinstance(open_display(TtyStream()), _progress._PlainLine)


def test_jupyter_gets_an_updating_display_emptied_at_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    updates: list[Any] = []

    class Handle:
        def update(self, data: Any, raw: bool) -> None:
            updates.append(data)

    def display(data: Any, raw: bool, display_id: bool) -> Handle:
        updates.append(("new", data))
        return Handle()

    ipython = ModuleType("IPython")
    ipython.get_ipython = lambda: SimpleNamespace(kernel=object())  # type: ignore[attr-defined]
    ipython_display = ModuleType("IPython.display")
    ipython_display.display = display  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", ipython_display)

    reporter: Reporter[PageProgress] = Reporter(True)
    with reporter:
        reporter.report(PageProgress("list_clusters", 1, 3, 0.0, None), lambda: "page 1", "1")
        reporter.report(PageProgress("list_clusters", 2, 6, 0.0, None), lambda: "page 2", "2")
    assert updates == [
        ("new", {"text/plain": ""}),
        {"text/plain": "page 1"},
        {"text/plain": "page 2"},
        {"text/plain": ""},
    ]


def test_ipython_without_a_kernel_is_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    ipython = ModuleType("IPython")
    ipython.get_ipython = lambda: SimpleNamespace()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", ModuleType("IPython.display"))
    assert isinstance(open_display(io.StringIO()), _progress._ChangeLog)


def test_callbacks_get_events_and_no_display() -> None:
    seen: list[PageProgress] = []
    reporter: Reporter[PageProgress] = Reporter(seen.append)
    event = PageProgress("list_clusters", 1, 3, 0.0, None)
    with reporter:
        reporter.report(event, lambda: pytest.fail("no display with a callback"), "1")
        reporter.tick()
    assert seen == [event]


def test_format_elapsed() -> None:
    texts = [format_elapsed(s) for s in (0.4, 59.9, 60, 754, 3600, 7322)]
    assert texts == ["0s", "59s", "1m00s", "12m34s", "1h00m", "2h02m"]
