"""``eksy.to_rows``: items (models, names, mappings) as plain dicts for a table or pandas."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from eksy._display import SENSITIVE, Printer, all_hidden, emit, is_model, pretty_lines, sent_members, width_of
from eksy._display_html import BOX, TABLE, html_scalar, map_preview, muted, plural, scalar_preview

if TYPE_CHECKING:
    from eksy._model_base import Model

__all__ = ["to_rows"]

# Rows of a to_rows table shown in Jupyter (the list itself keeps them all).
HTML_ROWS = 100
_HEAD = "text-align:left;padding:2px 10px 2px 4px;font-weight:600;border-bottom:1px solid rgba(127,127,127,0.4)"
_CELL = "text-align:left;vertical-align:top;padding:1px 10px 1px 4px;white-space:nowrap"


class Rows(list[dict[str, Any]]):
    """The list :func:`to_rows` returns: plain dicts, shown in Jupyter as an HTML table."""

    def _repr_pretty_(self, printer: Printer, cycle: bool) -> None:
        # Long strings (certificate data) and lists shortened, as in a model's pretty form.
        emit(pretty_lines(list(self), width_of(printer), top=False), printer)

    def _repr_html_(self) -> str | None:
        if not all(isinstance(row, Mapping) for row in self[:HTML_ROWS]):
            return None  # changed into something else than rows: Jupyter shows the text form
        columns: dict[str, None] = {}
        for row in self[:HTML_ROWS]:
            columns.update(dict.fromkeys(row))
        head = "".join(f'<th style="{_HEAD}">{html.escape(str(c))}</th>' for c in columns)
        body = []
        for row in self[:HTML_ROWS]:
            cells = "".join(f'<td style="{_CELL}">{_cell(row.get(c), str(c))}</td>' for c in columns)
            body.append(f"<tr>{cells}</tr>")
        if len(self) > HTML_ROWS:
            more = muted(f"… {len(self) - HTML_ROWS:,} more rows")
            body.append(f'<tr><td colspan="{len(columns)}">{more}</td></tr>')
        caption = muted(plural(len(self), "row"))
        return (
            f'<div class="eksy-rows" style="{BOX};overflow-x:auto">{caption}<table style="{TABLE}">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )


def _cell(value: object, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        preview = scalar_preview(value, 80)
        return html.escape(preview) if preview or not value else muted(plural(len(value), "item"))
    if isinstance(value, Mapping):
        preview = map_preview(list(value.items()), 80)
        return html.escape(preview) if preview else muted(plural(len(value), "key"))
    return html_scalar(value, name)


def _row_values(model: Model, depth: int, prefix: str) -> Iterator[tuple[str, Any]]:
    for name, value, hidden in sent_members(model):
        key = prefix + name
        if hidden or (is_model(value) and all_hidden(value)):
            yield key, SENSITIVE
        elif is_model(value) and depth > 0:
            yield from _row_values(value, depth - 1, key + ".")
        else:
            yield key, _plain(value)


def _plain(value: object) -> Any:
    """Like ``Model.to_dict``, with secrets masked."""
    if is_model(value):
        model = value
        if all_hidden(model):
            return SENSITIVE
        return {k: SENSITIVE if hidden else _plain(v) for k, v, hidden in sent_members(model)}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _flatten(mapping: Mapping[str, Any], depth: int, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in mapping.items():
        if isinstance(value, Mapping) and depth > 0 and value:
            yield from _flatten(value, depth - 1, f"{prefix}{key}.")
        else:
            yield prefix + str(key), _plain(value)


def to_rows(items: Iterable[object], *, depth: int = 1, column: str = "name") -> list[dict[str, Any]]:
    """Plain dicts, one per item, that ``pandas.DataFrame(rows)`` (or any table) takes directly.

    ``items`` is any iterable: a list of models, a paginator, a response's list member.

    - A model becomes ``{member: value}`` for the members the service sent, in the model's
      order. The members of a nested model join the row under dotted keys
      (``resources_vpc_config.subnet_ids``), ``depth`` levels deep (default 1; 0 keeps nested
      models whole); deeper ones become dicts, as in ``to_dict()``.
    - A string (``list_clusters`` and other ``list_*`` paginators yield names) becomes
      ``{column: item}``.
    - A mapping is taken as a row (its nested mappings flattened the same way).
    - Lists and maps stay values, timestamps stay ``datetime``; secrets are ``"<sensitive>"``
      (``to_dict()`` has their values).

    The result is a list; in Jupyter it also displays as an HTML table (the first 100 rows).
    """
    if isinstance(items, (str, bytes)) or is_model(items) or isinstance(items, Mapping):
        raise TypeError(f"to_rows takes an iterable of items (e.g. a list of models), not {type(items).__name__}")
    if depth < 0:
        raise ValueError(f"depth must be >= 0, not {depth!r}")
    rows = Rows()
    for item in items:
        if isinstance(item, str):
            rows.append({column: item})
        elif is_model(item):
            rows.append(dict(_row_values(item, depth, "")))
        elif isinstance(item, Mapping):
            rows.append(dict(_flatten(item, depth)))
        else:
            raise TypeError(f"to_rows cannot make a row of {type(item).__name__}: pass models, mappings or strings")
    return rows
