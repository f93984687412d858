"""The fake's manufacturing data: products, revisions, units, assets, software packages
and root-cause tickets, kept in memory in their wire form (the spec's JSON field names).

The WATS areas in ``_domains/`` (product, production, asset, software, rootcause) read
and change it; one lock guards it, since handlers may run on several event loops' threads
in tests that poke the state directly.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ._framework import Refusal
from ._odata import FieldType, ODataError, check_options, evaluate, int_option, parse_filter

__all__ = ["MesState", "odata_page", "now_iso", "new_id", "multipart_file"]

Json = dict[str, Any]


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class MesState:
    """Everything but reports. Keys are lower-cased where WATS matches case-insensitively."""

    products: dict[str, Json] = field(default_factory=dict)  # part number
    revisions: dict[tuple[str, str], Json] = field(default_factory=dict)  # (pn, revision)
    boms: dict[tuple[str, str], bytes] = field(default_factory=dict)
    vendors: dict[str, Json] = field(default_factory=dict)  # vendor name
    group_filters: list[Json] = field(default_factory=list)
    units: dict[tuple[str, str], Json] = field(default_factory=dict)  # (sn, pn)
    batches: dict[str, Json] = field(default_factory=dict)
    unit_changes: dict[int, Json] = field(default_factory=dict)
    assets: dict[str, Json] = field(default_factory=dict)  # asset id
    asset_types: dict[str, Json] = field(default_factory=dict)  # type id
    asset_log: list[Json] = field(default_factory=list)
    packages: dict[str, Json] = field(default_factory=dict)  # package id
    package_files: dict[str, list[Json]] = field(default_factory=dict)
    tickets: dict[str, Json] = field(default_factory=dict)  # ticket id
    attachments: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    levels: dict[tuple[str, ...], Json] = field(default_factory=dict)  # hierarchy -> level
    client_settings: dict[str, Json] = field(default_factory=dict)  # identifier
    barcode_identifiers: dict[int, Json] = field(default_factory=dict)
    scim_users: dict[str, Json] = field(default_factory=dict)  # SCIM id
    serial_types: dict[str, Json] = field(default_factory=dict)  # type name
    serials: dict[str, list[Json]] = field(default_factory=dict)  # type name -> taken
    exports: dict[str, bytes] = field(default_factory=dict)  # file name -> content
    # The internal areas' own records (_domains/internal_*.py), by collection name.
    internal: dict[str, Any] = field(default_factory=dict)
    unit_history: dict[tuple[str, str], list[Json]] = field(default_factory=dict)  # (sn, pn)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _counter: int = 0

    def next_number(self) -> int:
        with self.lock:
            self._counter += 1
            return self._counter

    def clear(self) -> None:
        with self.lock:
            for value in vars(self).values():
                if isinstance(value, (dict, list)):
                    value.clear()

    # -- lookups shared by areas ------------------------------------------------------
    def product(self, part_number: str) -> Json | None:
        return self.products.get(part_number.lower())

    def unit(self, serial_number: str, part_number: str) -> Json | None:
        return self.units.get((serial_number.lower(), part_number.lower()))

    def asset(self, asset_id: str | None, serial_number: str | None) -> Json | None:
        """By id first, then by serial number (both share one route, wats-facts §4.6)."""
        if asset_id:
            found = self.assets.get(asset_id.lower())
            if found is not None:
                return found
        key = (serial_number or asset_id or "").lower()
        return next((a for a in self.assets.values() if a["serialNumber"].lower() == key), None)

    def record_unit_change(self, unit: Mapping[str, Any]) -> None:
        """Queue a change record for MES integrations (``GET /api/Production/Units/Changes``)."""
        number = self.next_number()
        change = {
            "id": number,
            "unitSerialNumber": unit.get("serialNumber"),
            "newPartNumber": unit.get("partNumber"),
            "newRevision": unit.get("revision"),
            "newParentSerialNumber": unit.get("parentSerialNumber"),
            "newUnitPhaseId": unit.get("unitPhaseId"),
        }
        self.unit_changes[number] = {k: v for k, v in change.items() if v is not None}
        key = (str(unit.get("serialNumber")).lower(), str(unit.get("partNumber")).lower())
        self.unit_history.setdefault(key, []).append(
            {"date": now_iso(), "unitPhaseId": unit.get("unitPhaseId"), **change}
        )

    def log_asset(
        self, asset: Mapping[str, Any], kind: int, comment: str | None, **more: Any
    ) -> None:
        self.asset_log.append(
            {
                "logId": self.next_number(),
                "assetId": asset["assetId"],
                "serialNumber": asset["serialNumber"],
                "date": now_iso(),
                "user": "pywats-testing",
                "type": kind,
                "comment": comment,
                **more,
            }
        )


def odata_page(
    rows: Iterable[Mapping[str, Any]],
    query: Mapping[str, str],
    fields: Mapping[str, FieldType],
    *,
    type_name: str,
    default_top: int,
    order_by: tuple[str, bool],
) -> list[Mapping[str, Any]]:
    """``$filter``/``$orderby``/``$skip``/``$top`` over ``rows``; a bad query option is a
    :class:`Refusal` (400) with ASP.NET OData's text."""
    try:
        check_options(query)
        selected = list(rows)
        if query.get("$filter"):
            node = parse_filter(query["$filter"], fields, type_name)
            selected = [row for row in selected if evaluate(node, _typed(row, fields))]
        name, descending = order_by
        if query.get("$orderby"):
            words = query["$orderby"].split()
            by_lower = {f.lower(): f for f in fields}
            if not 1 <= len(words) <= 2 or words[0].lower() not in by_lower:
                raise ODataError(
                    f"Could not find a property named '{words[0]}' on type '{type_name}'."
                )
            name, descending = by_lower[words[0].lower()], len(words) == 2 and words[1] == "desc"
        selected.sort(
            key=lambda row: (row.get(name) is None, str(row.get(name) or "")), reverse=descending
        )
        skip = _number(query, "$skip", 0)
        top = _number(query, "$top", default_top)
        return selected[skip : skip + top]
    except ODataError as exc:
        raise Refusal(400, str(exc)) from None


def _number(query: Mapping[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    return default if raw is None else int_option(name, raw)


def _typed(row: Mapping[str, Any], fields: Mapping[str, FieldType]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, kind in fields.items():
        value = row.get(name)
        if kind == "datetime" and isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        out[name] = value
    return out


def multipart_file(content_type: str, body: bytes) -> tuple[str, bytes]:
    """The first file of a ``multipart/form-data`` body: (file name, bytes).

    ``ValueError`` when the body is not such a form or holds no file.
    """
    from email.parser import BytesParser
    from email.policy import HTTP

    if not content_type.lower().startswith("multipart/form-data"):
        raise ValueError(f"expected multipart/form-data, not {content_type or 'no body type'}")
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    for part in message.iter_parts():
        name = part.get_filename()
        if name:
            payload = part.get_payload(decode=True)
            return name, payload if isinstance(payload, bytes) else b""
    raise ValueError("the form holds no file")
