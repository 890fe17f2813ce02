"""The base of every generated model, and the decorator that makes it a dataclass.

The models are real dataclasses (``dataclasses.fields``, ``asdict``, ``replace`` and ``is_dataclass``
work) and frozen, but their methods come from :class:`Model` and a generated ``__init__`` instead of
code that ``@dataclass(frozen=True)`` would ``exec`` for each class at import: that costs about
0.6 ms a class, 140 ms for the 224 EKS models, paid on a user's first call.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Any:
        return lambda decorated: decorated


ModelT = TypeVar("ModelT", bound=type)


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def model(cls: ModelT) -> ModelT:
    """Registers the class's annotated fields as dataclass fields, generating no methods."""
    return cast(ModelT, dataclasses.dataclass(init=False, repr=False, eq=False)(cls))


def _plain(value: Any, exclude_none: bool) -> Any:
    if isinstance(value, Model):
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
    """Behaviour shared by the generated models: frozen, equal by value, readable repr, to_dict."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__dataclass_fields__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{field.name}={getattr(self, field.name)!r}" for field in self.__dataclass_fields__.values() if field.repr
        )
        return f"{type(self).__qualname__}({shown})"

    def to_dict(self, *, exclude_none: bool = True) -> dict[str, Any]:
        """This model as plain dicts and lists with snake_case keys.

        Timestamps stay timezone-aware ``datetime`` objects. Members the service did not send
        (``None``) are left out unless ``exclude_none=False``.
        """
        result: dict[str, Any] = _plain(self, exclude_none)
        return result
