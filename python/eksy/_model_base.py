"""The base of every generated model dataclass."""

from __future__ import annotations

import dataclasses
from typing import Any


def _plain(value: Any, exclude_none: bool) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {}
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if item is None and exclude_none:
                continue
            result[field.name] = _plain(item, exclude_none)
        return result
    if isinstance(value, list):
        return [_plain(item, exclude_none) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item, exclude_none) for key, item in value.items()}
    return value


class Model:
    """Mixin of the generated frozen dataclasses: conversion to plain Python values."""

    __slots__ = ()

    def to_dict(self, *, exclude_none: bool = True) -> dict[str, Any]:
        """This model as plain dicts and lists with snake_case keys.

        Timestamps stay timezone-aware ``datetime`` objects. Members the service did not send
        (``None``) are left out unless ``exclude_none=False``.
        """
        result: dict[str, Any] = _plain(self, exclude_none)
        return result
