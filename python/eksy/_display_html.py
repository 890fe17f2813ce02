"""How eksy's models, errors and clients look in Jupyter: the HTML form (``_repr_html_``).

A compact table of the members that were set; nested models, lists and maps in collapsible
``<details>`` sections (50 entries each, then a count); strings over 200 characters folded;
statuses as coloured badges. Inline styles only: no script, no stylesheet, no external asset,
and every value escaped. Secrets show as ``<sensitive>``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from eksy._display import SENSITIVE, all_hidden, clip, error_members, format_time, is_model, sent_members

if TYPE_CHECKING:
    from eksy._client_base import _ClientBase
    from eksy._errors import EksError
    from eksy._model_base import Model

# Entries of a list or map shown per section: a page of results stays a page.
HTML_ITEMS = 50
# Longer strings fold into a <details> (certificate data is about 1,500 characters).
HTML_TEXT = 200

BOX = (
    "font-family:var(--jp-code-font-family,ui-monospace,SFMono-Regular,Menlo,Consolas,monospace);"
    "font-size:12px;line-height:1.45;text-align:left"
)
TABLE = "border-collapse:collapse;margin:2px 0;width:auto;font:inherit"
_KEY = "text-align:left;vertical-align:top;padding:1px 14px 1px 4px;font-weight:600;white-space:nowrap"
_VALUE = "text-align:left;vertical-align:top;padding:1px 4px;white-space:pre-wrap;word-break:break-word"
_MUTED = "opacity:0.65"
_SUMMARY = "cursor:pointer"
_BADGE = (
    "display:inline-block;padding:0 7px;border-radius:9px;color:#fff;font-weight:600;font-size:11px;white-space:nowrap;"
)

_GOOD = "#1a7f37"
_BAD = "#cf222e"
_BUSY = "#0969da"
_WARN = "#9a6700"
_OTHER = "#6e7781"
_GOOD_WORDS = {
    "ACTIVE",
    "SUCCESSFUL",
    "SUCCEEDED",
    "COMPLETE",
    "COMPLETED",
    "IN_USE",
    "PASSING",
    "RUNNING",
    "STANDARD_SUPPORT",
    "ENABLED",
}
_WARN_WORDS = {"DEGRADED", "WARNING", "EXPIRING", "EXTENDED_SUPPORT", "UNKNOWN"}
_BAD_WORDS = {"ERROR", "EXPIRED", "UNSUPPORTED", "CANCELLED"}


def status_colour(status: str) -> str:
    word = status.upper().replace("-", "_").replace(" ", "_")
    if word in _GOOD_WORDS:
        return _GOOD
    if "FAIL" in word or word in _BAD_WORDS:
        return _BAD
    if word in _WARN_WORDS:
        return _WARN
    if word.endswith("ING") or word in ("PENDING", "IN_PROGRESS", "INPROGRESS"):
        return _BUSY
    return _OTHER


def _is_status(name: str) -> bool:
    return name == "status" or name.endswith(("_status", ".status"))


def badge(text: str, colour: str | None = None) -> str:
    return f'<span style="{_BADGE}background:{colour or status_colour(text)}">{html.escape(text)}</span>'


def muted(text: str) -> str:
    return f'<span style="{_MUTED}">{html.escape(text)}</span>'


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def _html_string(text: str) -> str:
    if len(text) <= HTML_TEXT:
        return html.escape(text)
    head = html.escape(text[:60])
    return (
        f'<details><summary style="{_SUMMARY}">{head}… {muted(f"({len(text):,} chars)")}</summary>'
        f'<div style="word-break:break-all;white-space:pre-wrap;max-width:100ch">{html.escape(text)}</div></details>'
    )


def html_scalar(value: object, name: str = "") -> str:
    if isinstance(value, str):
        if _is_status(name) and value and len(value) <= 40:
            return badge(value)
        return _html_string(value)
    if isinstance(value, datetime):
        return f'<span title="{html.escape(value.isoformat())}">{html.escape(format_time(value))}</span>'
    if isinstance(value, (bytes, bytearray)):
        return muted(f"<{len(value):,} bytes>")
    return _html_string(repr(value))


_HEADLINE_KEYS = ("status", "name", "cluster_name", "nodegroup_name", "addon_name", "fargate_profile_name", "id", "key")


def _headline(model: Model) -> str:
    """The model's type, its name-like member and its status, for a section's summary."""
    parts = [f"<b>{html.escape(type(model).__qualname__)}</b>"]
    if all_hidden(model):
        return parts[0] + " " + muted(SENSITIVE)
    values = {k: v for k, v, hidden in sent_members(model) if not hidden}
    for key in _HEADLINE_KEYS[1:]:
        if isinstance(values.get(key), str):
            parts.append(html.escape(clip(values[key], 60)))
            break
    status = values.get("status")
    if isinstance(status, str) and status:
        parts.append(badge(status))
    return " ".join(parts)


def _rows(entries: Iterable[tuple[str, str]]) -> str:
    return "".join(
        f'<tr><th style="{_KEY}">{html.escape(key)}</th><td style="{_VALUE}">{cell}</td></tr>' for key, cell in entries
    )


def _table(entries: Iterable[tuple[str, str]]) -> str:
    return f'<table style="{TABLE}"><tbody>{_rows(entries)}</tbody></table>'


def _model_table(model: Model, open_single: bool = False) -> str:
    members = sent_members(model)
    only = open_single and len(members) == 1
    return _table((k, muted(SENSITIVE) if hidden else _html_value(v, k, only)) for k, v, hidden in members)


def scalar_preview(values: Iterable[object], limit: int = 60) -> str:
    """Scalars joined with commas, cut at ``limit`` characters."""
    text = ""
    for value in values:
        if is_model(value) or isinstance(value, (list, tuple, Mapping)):
            return ""
        piece = format_time(value) if isinstance(value, datetime) else str(value)
        text = piece if not text else f"{text}, {piece}"
        if len(text) > limit:
            return text[:limit] + "…"
    return text


def map_preview(items: list[tuple[Any, Any]], limit: int = 60) -> str:
    if any(is_model(v) or isinstance(v, (list, tuple, Mapping)) for _, v in items):
        return ""
    return scalar_preview((f"{k}={v}" for k, v in items), limit)


def _model_preview(model: Model) -> str:
    """``key=value`` of the scalar members (what a closed section shows), else the member count."""
    members = sent_members(model)
    scalars = [
        (k, v)
        for k, v, hidden in members
        if not hidden and k not in _HEADLINE_KEYS and not is_model(v) and not isinstance(v, (list, tuple, Mapping))
    ]
    preview = scalar_preview((f"{k}={format_time(v) if isinstance(v, datetime) else v}" for k, v in scalars), 48)
    return muted(preview if preview else "· " + plural(len(members), "member"))


def _section(summary: str, body: str, open_: bool = False) -> str:
    return f'<details{" open" if open_ else ""}><summary style="{_SUMMARY}">{summary}</summary>{body}</details>'


def _html_value(value: object, name: str = "", open_: bool = False) -> str:
    if is_model(value):
        model = value
        if all_hidden(model):
            return _headline(model)
        return _section(f"{_headline(model)} {_model_preview(model)}", _model_table(model), open_)
    if isinstance(value, BaseException):
        return _section(html.escape(f"{type(value).__name__}: {value}"), _error_table(value))
    if isinstance(value, (list, tuple)):
        if not value:
            return muted("[] (empty)")
        shown = value[:HTML_ITEMS]
        entries = [(str(index), _html_value(item, name)) for index, item in enumerate(shown)]
        if len(value) > len(shown):
            entries.append(("…", muted(f"{len(value) - len(shown):,} more")))
        preview = scalar_preview(value)
        summary = muted(f"list · {plural(len(value), 'item')}") + (f" {html.escape(preview)}" if preview else "")
        return _section(summary, _table(entries), open_)
    if isinstance(value, Mapping):
        if not value:
            return muted("{} (empty)")
        items = list(value.items())
        shown_items = items[:HTML_ITEMS]
        entries = [(str(key), _html_value(item, str(key))) for key, item in shown_items]
        if len(items) > len(shown_items):
            entries.append(("…", muted(f"{len(items) - len(shown_items):,} more")))
        preview = map_preview(items)
        summary = muted(f"map · {plural(len(items), 'entry', 'entries')}")
        return _section(summary + (f" {html.escape(preview)}" if preview else ""), _table(entries), open_)
    return html_scalar(value, name)


def model_html(model: Model) -> str:
    if all_hidden(model):
        return f'<div style="{BOX}">{_headline(model)}</div>'
    members = sent_members(model)
    body = _model_table(model, open_single=True) if members else muted("(no members set)")
    return f'<div class="eksy-model" style="{BOX}"><div>{_headline(model)}</div>{body}</div>'


def _error_table(error: BaseException) -> str:
    entries = []
    for key, value in error_members(error):
        if key == "message":
            continue
        entries.append((key, _html_value(value, key)))
    return _table(entries)


def error_html(error: EksError) -> str:
    status = getattr(error, "status_code", None)
    code = getattr(error, "code", None)
    head = [f"<b>{html.escape(type(error).__name__)}</b>"]
    if isinstance(code, str) and code != type(error).__name__:
        head.append(html.escape(code))
    if isinstance(status, int):
        head.append(badge(f"HTTP {status}", _BAD if status >= 500 or status < 400 else _WARN))
    message = getattr(error, "message", None)
    text = message if isinstance(message, str) else str(error)
    return (
        f'<div class="eksy-error" style="{BOX};border-left:3px solid {_BAD};padding-left:8px">'
        f"<div>{' '.join(head)}</div><div>{_html_string(text)}</div>{_error_table(error)}</div>"
    )


def client_html(client: _ClientBase) -> str:
    endpoint = client.endpoint_url
    where = html.escape(endpoint) if endpoint else muted("the AWS endpoint of the region")
    region = html.escape(client.region) if client.region else muted("none")
    return (
        f'<div class="eksy-client" style="{BOX}"><b>{html.escape(type(client).__name__)}</b> client'
        f" · region <code>{region}</code> · endpoint <code>{where}</code></div>"
    )


def paginator_html(kind: str, operation: str, described: list[tuple[str, object]]) -> str:
    table = _table((name, html_scalar(value, name)) for name, value in described) if described else ""
    return (
        f'<div class="eksy-paginator" style="{BOX}"><b>{html.escape(kind)}</b> of '
        f"<code>{html.escape(operation)}</code> · iterate for items, <code>.pages()</code> for responses"
        f"{table}</div>"
    )
