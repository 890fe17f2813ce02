"""Writes the typed paginators and waiters from paginators-1.json and waiters-2.json.

Member names and acceptor paths are translated to snake_case here, so the runtime
(python/eksy/_paginate.py, _wait.py) works on the generated dataclasses directly. Anything
in a model that the runtime cannot express fails the generation instead of a later wait.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from emit_python import HEADER, docstring, member_doc, py_type
from model import Service, py_name

from docs import to_text

CLIENTS = {"eks": "EKS", "eks-auth": "EKSAuth"}

PAGINATE_OPTIONS = ["max_items", "page_size", "starting_token", "progress"]
WAIT_OPTIONS = ["timeout", "delay", "first_delay", "max_attempts", "progress"]

# Dotted names, each optionally flattening a list: the JMESPath subset the runtime evaluates.
_PATH = re.compile(r"^[A-Za-z0-9_]+(\[\])?(\.[A-Za-z0-9_]+(\[\])?)*$")


def wrap(text: str) -> str:
    paragraphs = text.split("\n\n")
    return "\n\n".join(textwrap.fill(p, 88, break_on_hyphens=False, break_long_words=False) for p in paragraphs)


def constant(name: str) -> str:
    return "_" + py_name(name).upper()


def params(svc: Service, op: str, skip: set[str]) -> list[tuple[str, str, bool]]:
    """(python name, annotation, required) of an operation's input members, required first."""
    shape = svc.input_shape(op)
    if not shape:
        return []
    required = set(svc.required(shape))
    members = [m for m in svc.members(shape) if m not in skip]
    ordered = sorted(members, key=lambda m: m not in required)
    return [(py_name(m), py_type(svc, svc.members(shape)[m]["shape"], True), m in required) for m in ordered]


def signature_lines(
    args: list[tuple[str, str, bool]], options: list[str], returns: str, method: str, is_async: bool
) -> list[str]:
    lines = [f"    {'async ' if is_async else ''}def {method}(", "        self,", "        *,"]
    for name, annotation, required in args:
        lines.append(f"        {name}: {annotation}," if required else f"        {name}: {annotation} | None = None,")
    lines += [f"        {option}," for option in options]
    lines.append(f"    ) -> {returns}:")
    return lines


def args_doc(svc: Service, op: str, skip: set[str], extra: list[tuple[str, str]]) -> str:
    shape = svc.input_shape(op)
    entries = [(py_name(m), member_doc(svc, shape, m)) for m in (svc.members(shape) if shape else {}) if m not in skip]
    parts = []
    for name, doc in entries + extra:
        text = "\n".join(("        " + line) if line else "" for line in doc.splitlines()).lstrip()
        parts.append(f"    {name}: {text or '(undocumented)'}")
    return "Args:\n" + "\n".join(parts) if parts else ""


def call_dict(args: list[tuple[str, str, bool]]) -> str:
    return "{" + ", ".join(f'"{name}": {name}' for name, _, _ in args) + "}"


def imports(svc_list: list[Service], runtime: str, typing_names: str) -> list[str]:
    lines = [
        "from __future__ import annotations",
        "",
        "from collections.abc import Callable, Mapping, Sequence",
        "from datetime import datetime",
        f"from typing import {typing_names}",
        "",
        runtime,
        "",
        "if TYPE_CHECKING:",
    ]
    for svc in svc_list:
        lines.append(f"    from eksy._generated.{svc.module}_async_client import Async{CLIENTS[svc.key]}")
        lines.append(f"    from eksy._generated.{svc.module}_client import {CLIENTS[svc.key]}")
        lines.append(f"    from eksy._generated.{svc.module}_inputs import *")
        lines.append(f"    from eksy._generated.{svc.module}_models import *")
    return [*lines, ""]


# -- paginators ----------------------------------------------------------------------------


def paginator_spec(svc: Service, op: str) -> dict[str, Any]:
    """The paginator with snake_case names; rejects what the runtime does not implement."""
    config = svc.paginators[op]
    for key in ("input_token", "output_token", "result_key"):
        if not isinstance(config[key], str) or "." in config[key]:
            raise ValueError(f"{op}: paginator {key} {config[key]!r} is not a single top-level member")
    if "more_results" in config:
        raise ValueError(f"{op}: paginator more_results is not supported")
    return {
        "name": py_name(op),
        "operation": op,
        "input_token": py_name(config["input_token"]),
        "output_token": py_name(config["output_token"]),
        "limit_key": py_name(config["limit_key"]) if config.get("limit_key") else None,
        "result_key": py_name(config["result_key"]),
        "skip": {config["input_token"], *([config["limit_key"]] if config.get("limit_key") else [])},
    }


def item_type(svc: Service, op: str) -> str:
    out = svc.output_shape(op)
    assert out is not None
    ref = svc.members(out)[svc.paginators[op]["result_key"]]
    shape = svc.shapes[ref["shape"]]
    if shape["type"] != "list":
        raise ValueError(f"{op}: result key {svc.paginators[op]['result_key']} is not a list")
    return py_type(svc, shape["member"]["shape"], for_input=False)


def paginator_method(svc: Service, op: str, is_async: bool) -> list[str]:
    spec = paginator_spec(svc, op)
    out = svc.output_shape(op)
    item = item_type(svc, op)
    kind = "AsyncPaginator" if is_async else "Paginator"
    returns = f"{kind}[{item}, {out}]"
    args = params(svc, op, spec["skip"])
    options = [
        "max_items: int | None = None",
        "page_size: int | None = None",
        "starting_token: str | None = None",
        "progress: bool | Callable[[PageProgress], object] | None = None",
    ]
    loop = "async for" if is_async else "for"
    intro = to_text(svc.op(op).get("documentation"))
    usage = (
        f"Paginator over ``{spec['result_key']}`` of :meth:`{py_name(op)}` across every page.\n\n"
        f"``{loop} item in ...`` yields each item ({item}); ``.pages()`` yields each "
        f":class:`{out}`. ``.resume_token`` continues where iteration stopped."
    )
    extra = [
        ("max_items", "Stop after this many items in total (the last page is cut short)."),
        ("page_size", f"Items per request (the service's ``{spec['limit_key']}``)."),
        ("starting_token", "A ``resume_token`` (or ``next_token``) to continue from."),
        ("progress", "A callable receiving a PageProgress per page, or True for a live status line."),
    ]
    full = "\n\n".join(p for p in (wrap(usage), intro, args_doc(svc, op, spec["skip"], extra)) if p)
    lines = signature_lines(args, options, returns, py_name(op), False)
    lines.append(docstring(full, 8))
    lines += [
        f"        return {kind}(",
        f"            self._client.{py_name(op)},",
        f"            {constant(op)},",
        f"            {call_dict(args)},",
        "            max_items=max_items,",
        "            page_size=page_size,",
        "            starting_token=starting_token,",
        "            progress=progress,",
        "        )",
        "",
    ]
    return lines


def emit_paginators(services: list[Service]) -> str:
    with_pages = [s for s in services if s.paginators]
    runtime = "\n".join(
        [
            "from eksy._paginate import AsyncPaginator, Paginator, PaginatorSpec",
            "from eksy.progress import PageProgress",
        ]
    )
    doc = '"""Typed paginators for every paginated operation, sync and async."""'
    lines = [HEADER, doc, "", *imports(with_pages, runtime, "TYPE_CHECKING")]
    for svc in with_pages:
        for op in sorted(svc.paginators):
            spec = paginator_spec(svc, op)
            fields = ", ".join(f"{k}={v!r}" for k, v in spec.items() if k != "skip")
            lines.append(f"{constant(op)} = PaginatorSpec({fields})")
        lines.append("")
        for is_async in (False, True):
            client = ("Async" if is_async else "") + CLIENTS[svc.key]
            lines += [
                "",
                f"class {client}Paginators:",
                f'    """Paginators of :class:`{client}`, one per paginated operation."""',
                "",
                '    __slots__ = ("_client",)',
                "",
                f"    def __init__(self, client: {client}) -> None:",
                "        self._client = client",
                "",
            ]
            names = ", ".join(sorted(py_name(op) for op in svc.paginators))
            lines += [
                "    def __repr__(self) -> str:",
                f'        return "<{client}Paginators: {names}>"',
                "",
            ]
            for op in sorted(svc.paginators, key=py_name):
                lines += paginator_method(svc, op, is_async)
    return "\n".join(lines).rstrip() + "\n"


# -- waiters -------------------------------------------------------------------------------


def snake_path(argument: str, waiter: str) -> tuple[str, ...]:
    if not _PATH.match(argument):
        raise ValueError(f"waiter {waiter}: acceptor path {argument!r} is outside the supported subset")
    return tuple(py_name(step[:-2]) + "[]" if step.endswith("[]") else py_name(step) for step in argument.split("."))


def acceptors(name: str, config: dict[str, Any]) -> list[dict[str, Any]]:
    result = []
    for acceptor in config["acceptors"]:
        matcher = acceptor["matcher"]
        if matcher not in ("path", "pathAll", "pathAny", "status", "error"):
            raise ValueError(f"waiter {name}: unknown matcher {matcher}")
        path = snake_path(acceptor["argument"], name) if matcher.startswith("path") else ()
        result.append({"state": acceptor["state"], "matcher": matcher, "expected": acceptor["expected"], "path": path})
    return result


def status_path(accepted: list[dict[str, Any]]) -> tuple[str, ...]:
    """What progress shows as the status: the first path the acceptors look at."""
    return next((a["path"] for a in accepted if a["path"]), ())


def waiter_returns(svc: Service, config: dict[str, Any], accepted: list[dict[str, Any]]) -> str:
    """The response when success is seen in a response, None when success is an error."""
    out = svc.output_shape(config["operation"])
    kinds = {a["matcher"] == "error" for a in accepted if a["state"] == "success"}
    if kinds == {True}:
        return "None"
    return out if kinds == {False} else f"{out} | None"


def waiter_doc(svc: Service, name: str, config: dict[str, Any], accepted: list[dict[str, Any]], skip: set[str]) -> str:
    def conditions(state: str) -> str:
        by_path: dict[str, list[str]] = {}
        for a in accepted:
            if a["state"] == state:
                by_path.setdefault(".".join(a["path"]) or a["matcher"], []).append(str(a["expected"]))
        texts = [
            f"the call fails with {' or '.join(values)}" if where == "error" else f"{where} is {' or '.join(values)}"
            for where, values in by_path.items()
        ]
        return " or ".join(texts)

    op = config["operation"]
    budget = config["delay"] * config["maxAttempts"]
    text = (
        f"Waits until {conditions('success')}, polling :meth:`{py_name(op)}` every {config['delay']}s "
        f"(by default for up to {budget // 60} minutes)."
    )
    failure = conditions("failure")
    if failure:
        text += f"\n\nFails at once with WaiterError when {failure}."
    text += (
        "\n\nThrottling, 5xx and connection errors are retried with backoff. Ctrl-C interrupts a "
        "sync wait; cancelling the task stops an async one."
    )
    extra = [
        ("timeout", f"Give up after this many seconds (default {budget}); math.inf waits for ever."),
        ("delay", f"Seconds between polls (default {config['delay']})."),
        ("first_delay", "Seconds before the first poll (default 0: poll at once)."),
        ("max_attempts", "Give up after this many polls (default: only the timeout limits)."),
        ("progress", "A callable receiving a WaitProgress per poll, or True for a live status line."),
    ]
    returns = waiter_returns(svc, config, accepted)
    result = (
        "None."
        if returns == "None"
        else f"The last :class:`{svc.output_shape(op)}`"
        + (" (None when success is an error)." if "None" in returns else ".")
    )
    raises = (
        "Raises:\n    WaiterError: a failure state or an unexpected error.\n"
        "    WaiterTimeoutError: timeout or max_attempts."
    )
    return "\n\n".join(p for p in (wrap(text), args_doc(svc, op, skip, extra), f"Returns:\n    {result}", raises) if p)


def waiter_method(svc: Service, name: str, is_async: bool) -> list[str]:
    config = svc.waiters[name]
    accepted = acceptors(name, config)
    op = config["operation"]
    args = params(svc, op, set())
    clash = {a for a, _, _ in args} & set(WAIT_OPTIONS)
    if clash:
        raise ValueError(f"waiter {name}: parameters {clash} clash with the waiter options")
    out = svc.output_shape(op)
    returns = waiter_returns(svc, config, accepted)
    options = [
        "timeout: float | None = None",
        "delay: float | None = None",
        "first_delay: float = 0.0",
        "max_attempts: int | None = None",
        f"progress: bool | Callable[[WaitProgress[{out}]], object] | None = None",
    ]
    lines = signature_lines(args, options, returns, py_name(name), is_async)
    lines.append(docstring(waiter_doc(svc, name, config, accepted, set()), 8))
    runner = "await async_wait" if is_async else "wait"
    call = [
        f"{runner}(",
        f"            {constant(name)},",
        f"            self._client.{py_name(op)},",
        f"            {call_dict(args)},",
        "            timeout=timeout,",
        "            delay=delay,",
        "            first_delay=first_delay,",
        "            max_attempts=max_attempts,",
        "            progress=progress,",
        "        )",
    ]
    if returns == "None":
        lines += [f"        {call[0]}", *call[1:]]
    elif "None" in returns:
        lines += [f"        return {call[0]}", *call[1:]]
    else:
        # Success is always seen in a response here, so the runtime's None cannot happen.
        lines += [f"        result = {call[0]}", *call[1:], f'        return cast("{out}", result)']
    return [*lines, ""]


def emit_waiters(services: list[Service]) -> str:
    with_waiters = [s for s in services if s.waiters]
    runtime = "\n".join(
        ["from eksy._wait import Acceptor, WaiterSpec, async_wait, wait", "from eksy.progress import WaitProgress"]
    )
    doc = '"""Typed waiters for every waiter of the service models, sync and async."""'
    lines = [HEADER, doc, "", *imports(with_waiters, runtime, "TYPE_CHECKING, cast")]
    for svc in with_waiters:
        for name in sorted(svc.waiters):
            config = svc.waiters[name]
            accepted = acceptors(name, config)
            lines.append(f"{constant(name)} = WaiterSpec(")
            lines.append(f"    name={py_name(name)!r},")
            lines.append(f"    operation={config['operation']!r},")
            lines.append(f"    delay={float(config['delay'])!r},")
            lines.append(f"    max_attempts={config['maxAttempts']!r},")
            lines.append("    acceptors=(")
            for a in accepted:
                lines.append(f"        Acceptor({a['state']!r}, {a['matcher']!r}, {a['expected']!r}, {a['path']!r}),")
            lines.append("    ),")
            lines.append(f"    status_path={status_path(accepted)!r},")
            lines.append(")")
        lines.append("")
        for is_async in (False, True):
            client = ("Async" if is_async else "") + CLIENTS[svc.key]
            lines += [
                "",
                f"class {client}Waiters:",
                f'    """Waiters of :class:`{client}`: poll until a resource reaches a state."""',
                "",
                '    __slots__ = ("_client",)',
                "",
                f"    def __init__(self, client: {client}) -> None:",
                "        self._client = client",
                "",
            ]
            names = ", ".join(py_name(name) for name in sorted(svc.waiters, key=py_name))
            lines += [
                "    def __repr__(self) -> str:",
                f'        return "<{client}Waiters: {names}; each takes timeout=, delay=, progress=>"',
                "",
            ]
            for name in sorted(svc.waiters, key=py_name):
                lines += waiter_method(svc, name, is_async)
    return "\n".join(lines).rstrip() + "\n"
