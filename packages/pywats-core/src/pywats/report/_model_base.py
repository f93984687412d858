"""The base of every report-model object: unknown keys kept, the input's own key order kept.

Design (why it looks like this):

* Every model keeps unknown keys (``extra="allow"``). Fields are declared in WATS's own
  export order, so pydantic's serializer writes most documents back exactly as they came,
  in Rust, with no help. Keys present with ``null`` stay present, absent keys stay absent
  (pydantic's ``model_fields_set`` + ``exclude_unset``).
* A document is read as one pydantic validation with a :class:`WsjfReading` as the
  validation context. An object whose keys came in another order than WATS's is noted
  there with its :class:`JsonForm`; the ``Report`` keeps those notes (private attributes),
  and ``dump_wsjf`` takes the slower order-restoring path only for documents that have any.
* Objects made in Python (``Step(name=...)``, the builders) have no reading: they are
  written in WATS's order.
* The notes live on the ``Report``, not on each object: a pydantic private attribute costs
  every instance a Python call when it is made, which would make reading ~50 % slower.
  They pair each object with its form, so they stay right when a report is copied
  (``model_copy`` copies the pairs and the tree together) and when objects are replaced.
* :class:`XmlForm` holds what exists only in WSXF (attributes without a model field, ``0``/``1``
  spellings of booleans, the order of text children), kept the same way by the WSXF reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    model_validator,
)

__all__ = ["JsonForm", "WsjfModel", "WsjfReading", "XmlForm"]


class WsjfReading:
    """The validation context of reading one document (``model_validate(..., context=)``).

    ``keys_by_alias_only``: keys are WSJF keys, so a key spelled like one of our Python names
    (``step_type``) is an unknown key to keep. ``keep_key_order``: remember an input order
    that differs from WATS's (off for WSXF, whose attribute order is not a JSON key order).
    """

    __slots__ = ("forms", "keep_key_order", "keys_by_alias_only")

    def __init__(self, *, keys_by_alias_only: bool, keep_key_order: bool = True) -> None:
        self.keys_by_alias_only = keys_by_alias_only
        self.keep_key_order = keep_key_order
        #: the objects of this document whose dump needs help, with what they need
        self.forms: list[tuple[WsjfModel, JsonForm]] = []


class JsonForm(NamedTuple):
    """How a WSJF input spelled one object, where pydantic's dump alone would differ."""

    #: the input's key order, when it is not WATS's own
    key_order: tuple[str, ...] | None
    #: unknown keys spelled like one of our Python names (``step_type``): pydantic counts the
    #: field of that name as set (pydantic issue 7700), so its alias must not be written
    unknown_python_names: frozenset[str] = frozenset()


@dataclass
class XmlForm:
    """What a WSXF element carried that the model has no field for."""

    #: attributes without a model field (``StepIndex``, ``MeasIndex``...), in document order
    attributes: dict[str, str] = field(default_factory=dict)
    #: boolean attributes spelled ``0``/``1`` (Virinco's example) instead of ``false``/``true``
    spellings: dict[str, str] = field(default_factory=dict)
    #: order of the text children as they came, when not the usual one (chart series)
    child_order: tuple[str, ...] | None = None
    #: attributes of field-less children (``<Process>``, ``<Comment>``) the model has no
    #: field for, by child tag
    child_attributes: dict[str, dict[str, str]] = field(default_factory=dict)


# (model class, input keys) -> whether those keys are already in the class's order
_CANONICAL_CACHE: dict[tuple[type[Any], tuple[str, ...]], bool] = {}
_CACHE_LIMIT = 10_000
# model class -> {WSJF key: position}, and the Python names that differ from their alias
_POSITIONS: dict[type[Any], dict[str, int]] = {}
_PYTHON_NAMES: dict[type[Any], frozenset[str]] = {}


def _positions(cls: type[BaseModel]) -> dict[str, int]:
    found = _POSITIONS.get(cls)
    if found is None:
        found = {field.alias or name: i for i, (name, field) in enumerate(cls.model_fields.items())}
        _POSITIONS[cls] = found
    return found


def _python_names(cls: type[BaseModel]) -> frozenset[str]:
    found = _PYTHON_NAMES.get(cls)
    if found is None:
        found = frozenset(
            name
            for name, field in cls.model_fields.items()
            if field.alias is not None and field.alias != name
        )
        _PYTHON_NAMES[cls] = found
    return found


def _is_canonical(cls: type[BaseModel], keys: tuple[str, ...]) -> bool:
    """Whether pydantic writes these keys in this order: known ones in declaration order,
    unknown ones after them."""
    lookup = (cls, keys)
    cached = _CANONICAL_CACHE.get(lookup)
    if cached is not None:
        return cached
    position = _positions(cls)
    canonical = True
    last = -1
    unknown_seen = False
    for key in keys:
        index = position.get(key)
        if index is None:
            unknown_seen = True
        elif unknown_seen or index < last:
            canonical = False
            break
        else:
            last = index
    if len(_CANONICAL_CACHE) < _CACHE_LIMIT:
        _CANONICAL_CACHE[lookup] = canonical
    return canonical


class WsjfModel(BaseModel):
    """Base of every WSJF object: keeps unknown keys and, when read, the input's key order."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        ser_json_inf_nan="strings",
        # step.status = "f" stores StepStatus.FAILED; a wrong value fails at once
        validate_assignment=True,
    )

    #: the top-level document (``Report``): keeps the notes of its reading
    _is_document: ClassVar[bool] = False

    @model_validator(mode="wrap")
    @classmethod
    def _remember_key_order(
        cls, data: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        reading = info.context
        if reading.__class__ is not WsjfReading or data.__class__ is not dict:
            return handler(data)
        assert isinstance(reading, WsjfReading)
        obj = handler(data)
        if not isinstance(obj, WsjfModel):  # pragma: no cover - handler returns our class
            return obj
        shadowed: frozenset[str] = frozenset()
        if reading.keys_by_alias_only and obj.__pydantic_extra__:
            names = _python_names(cls)
            if not names.isdisjoint(obj.__pydantic_extra__):
                shadowed = frozenset(
                    name
                    for name in names.intersection(obj.__pydantic_extra__)
                    if cls.model_fields[name].alias not in data
                )
        order: tuple[str, ...] | None = None
        if reading.keep_key_order:
            keys = tuple(data)
            if not _is_canonical(cls, keys):
                order = keys
        if order is not None or shadowed:
            reading.forms.append((obj, JsonForm(order, shadowed)))
        if cls._is_document:
            cls._finish_document(obj, reading)
        return obj

    @classmethod
    def _finish_document(cls, obj: WsjfModel, reading: WsjfReading) -> None:
        """Called once a whole document was read (overridden by ``Report``)."""

    def __eq__(self, other: object) -> bool:
        # Equality is about content: key order and XML-only attributes do not count.
        if not isinstance(other, WsjfModel) or type(self) is not type(other):
            return NotImplemented
        if (self.__pydantic_extra__ or {}) != (other.__pydantic_extra__ or {}):
            return False
        mine, theirs = self.__dict__, other.__dict__
        if mine == theirs:
            return True
        # NaN is a value like any other in a report: equal to itself here
        return mine.keys() == theirs.keys() and all(
            a == b or (a.__class__ is float and b.__class__ is float and a != a and b != b)
            for a, b in ((mine[key], theirs[key]) for key in mine)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def extra_fields(self) -> dict[str, Any]:
        """Keys this model does not know, kept verbatim."""
        return dict(self.__pydantic_extra__ or {})
