"""The OData query subset that ``GET /api/Report/Query/Header`` supports.

Supported as the spec describes it: ``$filter`` with ``eq ne gt ge lt le in``, ``and or
not``, parentheses, string functions (``contains startswith endswith tolower toupper trim
length indexof concat``), string literals in single quotes (``''`` escapes a quote), GUID,
number, boolean, ``null`` and date-time literals (``2024-01-01T00:00:00Z``); ``$top``
(default 10, at most 10000), ``$skip``, ``$orderby`` (only ``start uuid serialNumber
timeStamp``), ``$select`` and ``$expand``. Property names match case-insensitively (the
spec's own example expands ``subunits,miscinfo``). Arithmetic, ``has``, lambdas and
``$count`` are rejected, as on the real server. Error texts follow ASP.NET OData's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, ClassVar, Literal, TypeVar

__all__ = [
    "And",
    "Call",
    "Compare",
    "FieldRef",
    "FieldType",
    "In",
    "Literal_",
    "Not",
    "ODataError",
    "Or",
    "Query",
    "check_options",
    "evaluate",
    "format_literal",
    "int_option",
    "parse_filter",
    "parse_query",
]

FieldType = Literal["string", "int", "long", "double", "bool", "datetime", "guid", "null"]

_EDM: dict[str, str] = {
    "string": "Edm.String",
    "int": "Edm.Int32",
    "long": "Edm.Int64",
    "double": "Edm.Double",
    "bool": "Edm.Boolean",
    "datetime": "Edm.DateTimeOffset",
    "guid": "Edm.Guid",
    "null": "null",
}
_NUMERIC = frozenset({"int", "long", "double"})
_COMPARE_KIND = {
    "eq": "Equal",
    "ne": "NotEqual",
    "gt": "GreaterThan",
    "ge": "GreaterThanOrEqual",
    "lt": "LessThan",
    "le": "LessThanOrEqual",
}
_NOT_BOOLEAN_FILTER = (
    "The $filter expression must evaluate to a single boolean value. Found type '{}'."
)
_NOT_BOOLEAN_OPERAND = (
    "A binary operator with incompatible types was detected. Found operand types '{}' and"
    " 'Edm.Boolean' for operator kind 'And'."
)
MAX_TOP = 10000
_T = TypeVar("_T")
DEFAULT_TOP = 10


class ODataError(ValueError):
    """A query the server rejects with 400; ``str()`` is the detail text."""


# -- AST ------------------------------------------------------------------------------
# Every node knows its OData type (the parser checks operands by it) and its value in a
# row (``evaluate`` asks the root); a boolean node's type is always "bool".
@dataclass(frozen=True)
class Literal_:
    value: Any
    type: FieldType

    def value_in(self, row: Mapping[str, Any]) -> Any:
        return self.value


@dataclass(frozen=True)
class FieldRef:
    name: str
    type: FieldType

    def value_in(self, row: Mapping[str, Any]) -> Any:
        value = row.get(self.name)
        return value.lower() if self.type == "guid" and isinstance(value, str) else value


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]
    type: FieldType

    def value_in(self, row: Mapping[str, Any]) -> Any:
        args = [a.value_in(row) for a in self.args]
        if any(a is None for a in args):
            return None
        return _FUNCTIONS[self.name][2](*args)


class _Predicate:
    type: ClassVar[FieldType] = "bool"


@dataclass(frozen=True)
class Compare(_Predicate):
    op: str
    left: Node
    right: Node

    def value_in(self, row: Mapping[str, Any]) -> bool:
        return _compare(self.op, self.left.value_in(row), self.right.value_in(row))


@dataclass(frozen=True)
class In(_Predicate):
    operand: Node
    values: tuple[Literal_, ...]

    def value_in(self, row: Mapping[str, Any]) -> bool:
        value = self.operand.value_in(row)
        return any(_compare("eq", value, v.value) for v in self.values)


@dataclass(frozen=True)
class _Junction(_Predicate):
    """Two boolean operands; equal only to a junction of the same kind."""

    left: Node
    right: Node


class And(_Junction):
    def value_in(self, row: Mapping[str, Any]) -> bool:
        return evaluate(self.left, row) and evaluate(self.right, row)


class Or(_Junction):
    def value_in(self, row: Mapping[str, Any]) -> bool:
        return evaluate(self.left, row) or evaluate(self.right, row)


@dataclass(frozen=True)
class Not(_Predicate):
    operand: Node

    def value_in(self, row: Mapping[str, Any]) -> bool:
        return not evaluate(self.operand, row)


Node = Literal_ | FieldRef | Call | Compare | In | And | Or | Not


# -- tokens ---------------------------------------------------------------------------
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))
  | (?P<guid>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[(),])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos] == "'":
                raise ODataError(
                    f"There is an unterminated string literal at position {pos} in '{text}'."
                )
            raise ODataError(
                f"Syntax error: character '{text[pos]}' is not valid at position {pos} in '{text}'."
            )
        kind = match.lastgroup
        assert kind is not None
        if kind != "ws":
            tokens.append(_Token(kind, match.group(), pos))
        pos = match.end()
    return tokens


def _parse_datetime(text: str) -> datetime:
    text = text.replace("Z", "+00:00")
    if "." in text:
        # Python 3.10's fromisoformat takes exactly 3 or 6 fractional digits.
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{(rest[:digits] + '000000')[:6]}{rest[digits:]}"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def format_literal(value: Any) -> str:
    """The OData literal for a Python value (the inverse of the literal parser)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, datetime):
        moment: datetime = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return "'" + str(value).replace("'", "''") + "'"


# -- functions ------------------------------------------------------------------------
_FUNCTIONS: dict[str, tuple[tuple[FieldType, ...], FieldType, Callable[..., Any]]] = {
    "contains": (("string", "string"), "bool", lambda a, b: b in a),
    "startswith": (("string", "string"), "bool", lambda a, b: a.startswith(b)),
    "endswith": (("string", "string"), "bool", lambda a, b: a.endswith(b)),
    "indexof": (("string", "string"), "int", lambda a, b: a.find(b)),
    "concat": (("string", "string"), "string", lambda a, b: a + b),
    "tolower": (("string",), "string", lambda a: a.lower()),
    "toupper": (("string",), "string", lambda a: a.upper()),
    "trim": (("string",), "string", lambda a: a.strip()),
    "length": (("string",), "int", len),
}


class _Parser:
    def __init__(self, text: str, fields: Mapping[str, FieldType], type_name: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.fields = {name.lower(): (name, kind) for name, kind in fields.items()}
        self.type_name = type_name

    def _peek(self, offset: int = 0) -> _Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def _error(self, token: _Token | None) -> ODataError:
        pos = token.pos if token is not None else len(self.text)
        return ODataError(f"Syntax error at position {pos} in '{self.text}'.")

    def _is_word(self, token: _Token | None, word: str) -> bool:
        return token is not None and token.kind == "name" and token.text == word

    def _is_punct(self, token: _Token | None, char: str) -> bool:
        return token is not None and token.kind == "punct" and token.text == char

    def _expect_punct(self, char: str) -> None:
        token = self._peek()
        if not self._is_punct(token, char):
            raise self._error(token)
        self.i += 1

    def _parenthesized(self, item: Callable[[], _T], *, empty_ok: bool) -> list[_T]:
        """``( item (, item)* )``, and ``()`` where ``empty_ok``."""
        self._expect_punct("(")
        items: list[_T] = []
        if not (empty_ok and self._is_punct(self._peek(), ")")):
            items.append(item())
            while self._is_punct(self._peek(), ","):
                self.i += 1
                items.append(item())
        self._expect_punct(")")
        return items

    def parse(self) -> Node:
        if not self.tokens:
            raise ODataError(f"Syntax error at position 0 in '{self.text}'.")
        node = self._or()
        if self.i != len(self.tokens):
            raise self._error(self._peek())
        return self._bool(node, _NOT_BOOLEAN_FILTER)

    def _or(self) -> Node:
        return self._junction("or", Or, self._and)

    def _and(self) -> Node:
        return self._junction("and", And, self._unary)

    def _junction(self, word: str, kind: type[And] | type[Or], operand: Callable[[], Node]) -> Node:
        """``operand (word operand)*``, grouped from the left."""
        node = operand()
        while self._is_word(self._peek(), word):
            self.i += 1
            node = kind(self._bool(node), self._bool(operand()))
        return node

    def _bool(self, node: Node, problem: str = _NOT_BOOLEAN_OPERAND) -> Node:
        """``node``, if it is boolean; else the ``problem`` naming its type."""
        if node.type != "bool":
            raise ODataError(problem.format(_EDM[node.type]))
        return node

    def _unary(self) -> Node:
        if self._is_word(self._peek(), "not"):
            self.i += 1
            return Not(self._bool(self._unary()))
        return self._comparison()

    def _comparison(self) -> Node:
        left = self._operand()
        token = self._peek()
        if token is not None and token.kind == "name" and token.text in _COMPARE_KIND:
            self.i += 1
            right = self._operand()
            self._check_types(token.text, left, right)
            return Compare(token.text, left, right)
        if self._is_word(token, "in"):
            self.i += 1

            def literal() -> Literal_:
                value = self._operand()
                if not isinstance(value, Literal_):
                    raise self._error(self._peek())
                self._check_types("eq", left, value)
                return value

            return In(left, tuple(self._parenthesized(literal, empty_ok=False)))
        if (
            token is not None
            and token.kind == "name"
            and token.text in ("add", "sub", "mul", "div", "mod", "has")
        ):
            raise ODataError(f"The '{token.text}' operator is not allowed.")
        return left

    def _check_types(self, op: str, left: Node, right: Node) -> None:
        lt, rt = left.type, right.type
        if "null" in (lt, rt) or lt == rt or (lt in _NUMERIC and rt in _NUMERIC):
            return
        raise ODataError(
            "A binary operator with incompatible types was detected. Found operand types"
            f" '{_EDM[lt]}' and '{_EDM[rt]}' for operator kind '{_COMPARE_KIND[op]}'."
        )

    def _operand(self) -> Node:
        token = self._peek()
        if token is None:
            raise self._error(None)
        self.i += 1
        if self._is_punct(token, "("):
            node = self._or()
            self._expect_punct(")")
            return node
        if token.kind == "string":
            return Literal_(token.text[1:-1].replace("''", "'"), "string")
        if token.kind in ("datetime", "date"):
            try:
                return Literal_(_parse_datetime(token.text), "datetime")
            except ValueError:
                raise ODataError(
                    f"The DateTimeOffset text '{token.text}' should be in format"
                    " 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within"
                    " valid range."
                ) from None
        if token.kind == "guid":
            return Literal_(token.text.lower(), "guid")
        if token.kind == "number":
            if any(c in token.text for c in ".eE"):
                return Literal_(float(token.text), "double")
            value = int(token.text)
            return Literal_(value, "int" if -(2**31) <= value < 2**31 else "long")
        if token.kind == "name":
            if token.text in ("true", "false"):
                return Literal_(token.text == "true", "bool")
            if token.text == "null":
                return Literal_(None, "null")
            if self._is_punct(self._peek(), "("):
                return self._call(token)
            if "/" in token.text:
                raise self._error(token)
            found = self.fields.get(token.text.lower())
            if found is None:
                raise ODataError(
                    f"Could not find a property named '{token.text}' on type '{self.type_name}'."
                )
            return FieldRef(found[0], found[1])
        raise self._error(token)

    def _call(self, name_token: _Token) -> Node:
        name = name_token.text
        spec = _FUNCTIONS.get(name)
        if spec is None:
            raise ODataError(
                f"An unknown function with name '{name}' was found. This may also be a"
                " function import or a key lookup on a navigation property, which is not"
                " allowed."
            )
        args = self._parenthesized(self._or, empty_ok=True)
        arg_types, result, _impl = spec
        if len(args) != len(arg_types) or any(
            a.type not in (want, "null") for a, want in zip(args, arg_types, strict=True)
        ):
            signature = ", ".join(f"{_EDM[t]} Nullable=true" for t in arg_types)
            raise ODataError(
                f"No function signature for the function with name '{name}' matches the"
                f" specified arguments. The function signatures considered are:"
                f" {name}({signature})."
            )
        return Call(name, tuple(args), result)


def parse_filter(
    text: str,
    fields: Mapping[str, FieldType],
    type_name: str = "Virinco.WATS.Web.Dashboard.Models.OData.ReportHeader",
) -> Node:
    """Parse a ``$filter`` expression against the given typed properties."""
    return _Parser(text, fields, type_name).parse()


# -- evaluation -----------------------------------------------------------------------
def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        if op == "eq":
            return left is right
        if op == "ne":
            return left is not right
        return False
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if op == "gt":
        return bool(left > right)
    if op == "ge":
        return bool(left >= right)
    if op == "lt":
        return bool(left < right)
    return bool(left <= right)


def evaluate(node: Node, row: Mapping[str, Any]) -> bool:
    """Does ``row`` (property name → Python value) satisfy the boolean ``node``?"""
    return bool(node.value_in(row))


# -- query options --------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    filter: Node | None
    top: int
    skip: int
    orderby: tuple[tuple[str, bool], ...]  # (property, descending)
    select: tuple[str, ...] | None
    expand: tuple[str, ...]


def int_option(name: str, raw: str) -> int:
    """A whole, non-negative ``$top``/``$skip`` value."""
    try:
        value = int(raw)
    except ValueError:
        raise ODataError(f"Invalid value '{raw}' for {name} query option found.") from None
    if value < 0:
        raise ODataError(f"Invalid value '{raw}' for {name} query option found.")
    return value


def parse_query(
    params: Mapping[str, str],
    *,
    fields: Mapping[str, FieldType],
    expandable: Sequence[str],
    orderable: Sequence[str],
    default_orderby: tuple[tuple[str, bool], ...],
    type_name: str = "Virinco.WATS.Web.Dashboard.Models.OData.ReportHeader",
) -> Query:
    """Read the ``$`` options of a request (keys already URL-decoded)."""
    check_options(params)
    by_lower = {name.lower(): name for name in fields}
    top = DEFAULT_TOP
    if "$top" in params:
        top = int_option("$top", params["$top"])
        if top > MAX_TOP:
            raise ODataError(
                f"The limit of '{MAX_TOP}' for Top query has been exceeded. The value from"
                f" the incoming request is '{top}'."
            )
    skip = int_option("$skip", params["$skip"]) if "$skip" in params else 0
    node = parse_filter(params["$filter"], fields, type_name) if params.get("$filter") else None

    orderby = default_orderby
    if params.get("$orderby"):
        allowed = {name.lower(): name for name in orderable}
        items: list[tuple[str, bool]] = []
        for part in params["$orderby"].split(","):
            words = part.split()
            if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
                raise ODataError(f"Syntax error at position 0 in '{params['$orderby']}'.")
            if words[0].lower() not in by_lower:
                raise ODataError(
                    f"Could not find a property named '{words[0]}' on type '{type_name}'."
                )
            if words[0].lower() not in allowed:
                raise ODataError(
                    f"Order by '{by_lower[words[0].lower()]}' is not allowed. To allow it,"
                    " set the 'AllowedOrderByProperties' property on EnableQueryAttribute or"
                    " QueryValidationSettings."
                )
            items.append((allowed[words[0].lower()], len(words) == 2 and words[1] == "desc"))
        orderby = tuple(items)

    select: tuple[str, ...] | None = None
    if params.get("$select"):
        chosen: list[str] = []
        for part in params["$select"].split(","):
            name = part.strip()
            if name == "*":
                chosen.extend(fields)
                continue
            if name.lower() not in by_lower:
                raise ODataError(f"Could not find a property named '{name}' on type '{type_name}'.")
            chosen.append(by_lower[name.lower()])
        select = tuple(dict.fromkeys(chosen))

    expand: list[str] = []
    if params.get("$expand"):
        allowed_expand = {name.lower(): name for name in expandable}
        for part in params["$expand"].split(","):
            name = part.strip()
            if name.lower() not in allowed_expand:
                raise ODataError(f"Could not find a property named '{name}' on type '{type_name}'.")
            expand.append(allowed_expand[name.lower()])
    return Query(node, top, skip, orderby, select, tuple(dict.fromkeys(expand)))


_OPTIONS = frozenset({"$filter", "$top", "$skip", "$orderby", "$select", "$expand"})


def check_options(params: Mapping[str, str]) -> None:
    """Refuse ``$count`` and any ``$`` option the server does not take."""
    if "$count" in params:
        raise ODataError("Query option 'Count' is not allowed.")
    unknown = sorted(k for k in params if k.startswith("$") and k not in _OPTIONS)
    if unknown:
        raise ODataError(f"The query parameter '{unknown[0]}' is not supported.")
