"""How eksy's models and errors look in IPython: the pretty form, and what the HTML form
(eksy/_display_html.py) and eksy.to_rows (eksy/_rows.py) share with it.

The pretty form (``_repr_pretty_``, IPython's printer) puts one member per line, nests with
indentation, leaves out members the service did not send, shortens long lists and maps (after
10 entries) and strings (past 120 columns) with a count, and writes timestamps as
``2024-01-02 03:04:05 UTC``. Secrets show as ``<sensitive>``, as in ``repr``.

Nothing imports these modules until something is displayed (or ``eksy.to_rows`` is called), so
``import eksy`` and a first call stay as cheap as before. Models and errors are recognised by
their shape, not by importing their classes: the modules that define them import this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

if TYPE_CHECKING:
    from eksy._errors import EksError
    from eksy._model_base import Model

SENSITIVE = "<sensitive>"
# List and map entries shown before "… N more": a describe must stay readable.
PRETTY_ITEMS = 10
# No line is longer, whatever the printer's width: longer strings are shortened.
LINE_LIMIT = 120
_INDENT = 4


class Printer(Protocol):
    """The part of IPython's ``RepresentationPrinter`` used here (IPython is not a dependency)."""

    max_width: int
    indentation: int

    def text(self, obj: str) -> None: ...

    def break_(self) -> None: ...


def is_model(value: object) -> TypeGuard[Model]:
    """An eksy model: a class with the field list and the hidden set that ``eksy._model_base`` gives it."""
    cls = type(value)
    return isinstance(getattr(cls, "_field_names", None), tuple) and isinstance(
        getattr(cls, "_hidden_fields", None), frozenset
    )


def sent_members(model: Model) -> list[tuple[str, Any, bool]]:
    """(name, value, hidden) of the members the service sent, in the model's order."""
    hidden = model._hidden_fields
    return [(name, value, name in hidden) for name in model._field_names if (value := getattr(model, name)) is not None]


def all_hidden(model: Model) -> bool:
    # A sensitive shape (EKS Auth Credentials): not even which members are set is shown.
    names = model._field_names
    return bool(names) and model._hidden_fields.issuperset(names)


def format_time(value: datetime) -> str:
    if value.utcoffset() == timedelta(0):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    return value.isoformat(sep=" ", timespec="seconds")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Shown:
    """Shown as its text, unquoted, in the pretty and HTML forms."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


MASKED = Shown(SENSITIVE)


def error_members(error: BaseException) -> list[tuple[str, Any]]:
    """The public attributes of an error that are set (its message first when it has none)."""
    attributes: list[tuple[str, Any]] = []
    for key, value in vars(error).items():
        # The call's metadata repeats the status and request id shown already.
        if key.startswith("_") or key == "metadata" or value is None:
            continue
        if key == "elapsed" and isinstance(value, float):
            value = Shown(f"{value:.1f}s")
        attributes.append((key, value))
    if "message" not in vars(error):
        attributes.insert(0, ("message", str(error)))
    return attributes


# -- the pretty form -------------------------------------------------------------------------


def _short_string(text: str, budget: int) -> str:
    shown = repr(text)
    if len(shown) <= budget:
        return shown
    suffix = f" ({len(text):,} chars)"
    keep = max(budget - len(suffix) - 3, 8)
    return repr(text[:keep] + "…") + suffix


def _scalar(value: object, budget: int) -> str:
    if isinstance(value, str):
        return _short_string(value, budget)
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value):,} bytes>"
    return repr(value)


_Entry = tuple[str, Any]  # (prefix such as "name=" or "'key': ", value)


def _children(value: object) -> tuple[str, str, list[_Entry], int] | None:
    """(open, close, entries, entries left out) of a value shown as a block, None for a scalar."""
    if is_model(value):
        model = value
        name = type(model).__qualname__
        if all_hidden(model):
            return None
        entries: list[_Entry] = [(f"{k}=", MASKED if hidden else v) for k, v, hidden in sent_members(model)]
        return f"{name}(", ")", entries, 0
    if isinstance(value, BaseException):
        error = value
        return f"{type(error).__name__}(", ")", [(f"{k}=", v) for k, v in error_members(error)], 0
    if isinstance(value, (list, tuple)):
        shown = [("", item) for item in value[:PRETTY_ITEMS]]
        return "[", "]", shown, len(value) - len(shown)
    if isinstance(value, Mapping):
        items = list(value.items())
        shown = [(f"{key!r}: ", item) for key, item in items[:PRETTY_ITEMS]]
        return "{", "}", shown, len(items) - len(shown)
    return None


def _flat(value: object, budget: int) -> str | None:
    """The one-line form of ``value`` if it fits in ``budget`` columns."""
    if is_model(value) and all_hidden(value):
        text = f"{type(value).__qualname__}({SENSITIVE})"
        return text if len(text) <= budget else None
    block = _children(value)
    if block is None:
        if isinstance(value, str) and len(value) > budget:
            return None
        # Not shortened here: a string cut to fit a line it shares would hide what a line of
        # its own could show.
        text = _scalar(value, len(value) + 2 if isinstance(value, str) else budget)
        return text if len(text) <= budget else None
    opening, closing, entries, more = block
    parts: list[str] = []
    used = len(opening) + len(closing)
    for prefix, item in entries:
        inner = _flat(item, budget - used - len(prefix))
        if inner is None:
            return None
        parts.append(prefix + inner)
        used += len(parts[-1]) + 2
        if used > budget + 2:
            return None
    if more:
        parts.append(f"… {more} more")
    text = opening + ", ".join(parts) + closing
    return text if len(text) <= budget else None


def pretty_lines(
    value: object,
    width: int = 79,
    limit: int | None = None,
    *,
    prefix: str = "",
    suffix: str = "",
    top: bool = True,
) -> list[str]:
    """The pretty form of ``value`` as lines.

    A model, list or map stays on one line when it fits in ``width`` columns; a string longer
    than a line of ``limit`` columns (default: the wider of ``width`` and 120) is shortened,
    with its length. ``top`` puts a model or error one member per line even when it would fit.
    """
    limit = max(width, LINE_LIMIT) if limit is None else limit
    block = _children(value)
    if not (top and block is not None and block[2]):
        flat = _flat(value, width - len(prefix) - len(suffix))
        if flat is not None:
            return [prefix + flat + suffix]
    if block is None or not (block[2] or block[3]):
        # Alone on its line and still too long: only a string can be, and it is shortened.
        return [prefix + _scalar(value, max(limit - len(prefix) - len(suffix), 24)) + suffix]
    opening, closing, entries, more = block
    pad = " " * _INDENT
    lines = [prefix + opening]
    for child_prefix, item in entries:
        nested = pretty_lines(item, width - _INDENT, limit - _INDENT, prefix=child_prefix, suffix=",", top=False)
        lines += [pad + line for line in nested]
    if more:
        lines.append(f"{pad}… {more} more")
    lines.append(closing + suffix)
    return lines


def emit(lines: list[str], printer: Printer) -> None:
    # break_ keeps the printer's indentation, so this nests inside a list IPython prints.
    for index, line in enumerate(lines):
        if index:
            printer.break_()
        printer.text(line)


def width_of(printer: Printer) -> int:
    return max(printer.max_width - printer.indentation, 40)


def _nested(printer: Printer) -> bool:
    # IPython's printer keeps the ids of the objects being printed: more than this one means
    # the value sits inside a list or dict, where a short model may stay on one line.
    return len(getattr(printer, "stack", ())) > 1


def pretty_model(model: Model, printer: Printer, cycle: bool) -> None:
    if cycle:
        printer.text(f"{type(model).__qualname__}(...)")
        return
    emit(pretty_lines(model, width_of(printer), top=not _nested(printer)), printer)


def pretty_error(error: EksError, printer: Printer, cycle: bool) -> None:
    if cycle:
        printer.text(f"{type(error).__name__}(...)")
        return
    emit(pretty_lines(error, width_of(printer), top=not _nested(printer)), printer)
