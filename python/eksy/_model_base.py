"""The base of every generated model, and the decorator that registers its fields.

The models are frozen and behave as dataclasses (``dataclasses.fields``, ``asdict``, ``replace`` and
``is_dataclass`` work), but nothing of :mod:`dataclasses` runs when they are defined: their methods
come from :class:`Model` and a generated ``__init__``, and a class becomes a registered dataclass
the first time something asks it for ``__dataclass_fields__``. Importing ``dataclasses`` (it pulls
in ``inspect``) and processing 224 classes would otherwise cost a user's first call about 15 ms.
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: typing (with re, enum, functools...) would double what a
# first call costs; the names below are only needed by type checkers (annotations stay strings).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import dataclasses
    from typing import Any, ClassVar, TypeVar

    from typing_extensions import dataclass_transform

    from eksy._eksy import ResponseMetadata

    ModelT = TypeVar("ModelT", bound=type)
else:

    def dataclass_transform(**_: object) -> object:
        return lambda decorated: decorated


@dataclass_transform(frozen_default=True)
def model(cls: ModelT) -> ModelT:
    """Records the class's annotated fields, in order; ``__init__`` and the rest are generated."""
    # The class's own annotations (not a base's); inspect.get_annotations would import inspect.
    own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    cls._field_names = tuple(own)  # type: ignore[attr-defined]
    return cls


class _DataclassFields:
    """``__dataclass_fields__`` on first access: registers the model class as a dataclass then."""

    def __get__(self, instance: object, owner: type[Model]) -> dict[str, dataclasses.Field[Any]]:
        if owner is Model:
            raise AttributeError("__dataclass_fields__")
        import dataclasses

        dataclasses.dataclass(init=False, repr=False, eq=False)(owner)
        fields: dict[str, dataclasses.Field[Any]] = owner.__dict__["__dataclass_fields__"]
        for name in owner._hidden_fields:
            fields[name].repr = False
        return fields


def _plain(value: Any, exclude_none: bool) -> Any:
    if isinstance(value, Model):
        result = {}
        for name in value._field_names:
            item = getattr(value, name)
            if item is None and exclude_none:
                continue
            result[name] = _plain(item, exclude_none)
        return result
    if isinstance(value, list):
        return [_plain(item, exclude_none) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item, exclude_none) for key, item in value.items()}
    return value


class Model:
    """Behaviour shared by the generated models: frozen, equal by value, readable repr, to_dict,
    and a pretty (IPython) and an HTML (Jupyter) form."""

    __slots__ = ()
    _field_names: ClassVar[tuple[str, ...]] = ()
    # Secrets (credentials, tokens): left out of the repr.
    _hidden_fields: ClassVar[frozenset[str]] = frozenset()
    if TYPE_CHECKING:
        __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]
    else:
        __dataclass_fields__ = _DataclassFields()

    @property
    def metadata(self) -> ResponseMetadata | None:
        """The metadata of the call that returned this response (request id, HTTP status,
        attempts, duration); None on a model the call did not return whole (a nested one, one
        built by hand or by ``dataclasses.replace``). Not a field: it stays out of ``to_dict()``,
        equality and the repr."""
        metadata: ResponseMetadata | None = self.__dict__.get("_metadata")
        return metadata

    def __setattr__(self, name: str, value: Any) -> None:
        raise _frozen_error(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise _frozen_error(f"cannot delete field {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._field_names)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        hidden = self._hidden_fields
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._field_names if name not in hidden)
        return f"{type(self).__qualname__}({shown})"

    # IPython and Jupyter; the display code loads on the first display, not with the models.
    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        from eksy._display import pretty_model

        pretty_model(self, printer, cycle)

    def _repr_html_(self) -> str:
        from eksy._display_html import model_html

        return model_html(self)

    def to_dict(self, *, exclude_none: bool = True) -> dict[str, Any]:
        """This model as plain dicts and lists with snake_case keys.

        Timestamps stay timezone-aware ``datetime`` objects. Members the service did not send
        (``None``) are left out unless ``exclude_none=False``.
        """
        result: dict[str, Any] = _plain(self, exclude_none)
        return result


def _frozen_error(message: str) -> Exception:
    import dataclasses

    return dataclasses.FrozenInstanceError(message)
