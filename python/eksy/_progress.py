"""Progress reporting shared by waiters and paginators: user callbacks and a live status line.

``progress=True`` picks a display for where the code runs: an updating output in a Jupyter
kernel (IPython.display), a tqdm line on a terminal when tqdm is installed, a plain ``\\r``
line on a terminal otherwise, and one line per status change when stderr is not a terminal.
Every display erases itself when the wait or walk ends, however it ends. The events handed
to callbacks are public, in :mod:`eksy.progress`.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable
from typing import Any, Generic, Protocol, TextIO, TypeVar

from eksy.progress import PageProgress, ProgressOption, WaitProgress

# PageProgress and WaitProgress are re-exported for eksy/cli/demo.py, which still imports them
# from here; their home is eksy.progress.
__all__ = ["PageProgress", "Reporter", "WaitProgress", "format_elapsed", "open_display"]

E = TypeVar("E")


def format_elapsed(seconds: float) -> str:
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole // 60 % 60:02d}m"


class _Display(Protocol):
    def show(self, text: str, key: str) -> None: ...

    def close(self) -> None: ...


class _PlainLine:
    """A ``\\r``-rewritten line on a terminal, blanked on close."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._width = 0

    def show(self, text: str, key: str) -> None:
        try:
            columns = os.get_terminal_size(self._stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 0
        columns = columns or 80  # a fresh pseudo-terminal reports 0 columns
        # A line that wraps cannot be rewritten with \r, so it is cut to the terminal width.
        text = text[: max(columns - 1, 10)]
        self._stream.write("\r" + text + " " * max(self._width - len(text), 0))
        self._stream.flush()
        self._width = max(self._width, len(text))

    def close(self) -> None:
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


class _TqdmLine:
    """A description-only tqdm bar; ``leave=False`` makes tqdm erase it on close."""

    def __init__(self, stream: TextIO, tqdm: Any) -> None:
        self._bar = tqdm(total=None, bar_format="{desc}", leave=False, file=stream, dynamic_ncols=True)

    def show(self, text: str, key: str) -> None:
        self._bar.set_description_str(text, refresh=True)

    def close(self) -> None:
        self._bar.close()


class _NotebookLine:
    """An output area of a Jupyter cell, updated in place and emptied on close."""

    def __init__(self, display: Any) -> None:
        self._handle = display({"text/plain": ""}, raw=True, display_id=True)

    def show(self, text: str, key: str) -> None:
        self._handle.update({"text/plain": text}, raw=True)

    def close(self) -> None:
        self._handle.update({"text/plain": ""}, raw=True)


class _ChangeLog:
    """Not a terminal (CI logs, pipes): no live line, so one line per status change."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._key: str | None = None

    def show(self, text: str, key: str) -> None:
        if key != self._key:
            self._key = key
            self._stream.write(text + "\n")
            self._stream.flush()

    def close(self) -> None:
        pass


def _optional(module: str) -> Any:
    """An optional dependency, or None (imported by name: eksy does not depend on it)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _notebook_display() -> Any:
    # Only look when IPython is already loaded: importing it just to find out is slow.
    if "IPython" not in sys.modules:
        return None
    ipython, display = _optional("IPython"), _optional("IPython.display")
    if ipython is None or display is None:
        return None
    shell = ipython.get_ipython()
    return display.display if shell is not None and hasattr(shell, "kernel") else None


def open_display(stream: TextIO | None = None) -> _Display:
    """The best live display for the current environment."""
    display = _notebook_display()
    if display is not None:
        return _NotebookLine(display)
    out = stream if stream is not None else sys.stderr
    if not out.isatty():
        return _ChangeLog(out)
    tqdm = _optional("tqdm")
    return _PlainLine(out) if tqdm is None else _TqdmLine(out, tqdm.tqdm)


class Reporter(Generic[E]):
    """Sends events to a callback, or keeps a live display current, and always cleans up.

    Used as a context manager around a whole wait or walk. ``tick`` refreshes the display
    between events (while sleeping) so elapsed time keeps moving.
    """

    REFRESH = 0.5

    def __init__(self, progress: ProgressOption[E]) -> None:
        self._callback = progress if callable(progress) else None
        self._wanted = progress is True
        self._display: _Display | None = None
        self._line: Callable[[], str] | None = None
        self._key = ""
        self._shown_at = 0.0

    def __enter__(self) -> Reporter[E]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def report(self, event: E, line: Callable[[], str], key: str) -> None:
        """One event; ``line`` renders the status text (called again on each refresh)."""
        if self._callback is not None:
            self._callback(event)
        if self._wanted:
            if self._display is None:
                self._display = open_display()
            self._line, self._key = line, key
            self._show()

    def tick(self) -> None:
        if self._line is not None and time.monotonic() - self._shown_at >= self.REFRESH:
            self._show()

    def _show(self) -> None:
        if self._display is not None and self._line is not None:
            self._display.show(self._line(), self._key)
            self._shown_at = time.monotonic()

    def close(self) -> None:
        display, self._display, self._line = self._display, None, None
        if display is not None:
            display.close()
