"""Query strings that several calls send alike (a public service and its
``wats.internal`` twin, the two ends of a workflow test).

Plain functions, outside ``_async``, so the sync twin shares them instead of a copy.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "SerialNumberQuery",
    "StepFilters",
    "box_query",
    "recent_query",
    "serial_range_query",
    "top_failed_query",
    "workflow_query",
]


def _require_text(owner: str, **values: str) -> None:
    for name, value in values.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"{owner}.{name} must be a non-empty string, not {value!r}")


@dataclass(frozen=True)
class SerialNumberQuery:
    """Serial numbers of one type from ``start_address`` to ``end_address``; ``start_date``
    and ``end_date`` (ISO dates) narrow them. Several lookups, public and internal, take
    one."""

    serial_number_type: str
    start_address: str
    end_address: str
    start_date: str | None = None
    end_date: str | None = None

    def __post_init__(self) -> None:
        _require_text(
            "SerialNumberQuery",
            serial_number_type=self.serial_number_type,
            start_address=self.start_address,
            end_address=self.end_address,
        )

    def params(self) -> dict[str, str | None]:
        """The query parameters WATS reads."""
        return serial_range_query(
            self.serial_number_type,
            self.start_address,
            self.end_address,
            self.start_date,
            self.end_date,
        )


@dataclass(frozen=True)
class StepFilters:
    """Which steps a step or measurement list covers: WATS's step filter and sequence
    filter, each an XML text. The same value serves the measurement and the step-status
    lists, recent or by filter."""

    steps: str
    sequences: str

    def __post_init__(self) -> None:
        _require_text("StepFilters", steps=self.steps, sequences=self.sequences)

    def params(self) -> dict[str, str]:
        """The query parameters WATS reads."""
        return {"stepFilters": self.steps, "sequenceFilters": self.sequences}


def recent_query(days: int, product_group_id: str, level_id: str) -> dict[str, str | int]:
    """The query of the GET ``_recent`` forms: a number of days within a group and level
    (``wats.internal.analytics`` asks its GET forms the same way)."""
    return {"days": days, "productGroupId": product_group_id, "levelId": level_id}


def top_failed_query(
    part_number: str, process_code: str, days: int, count: int, product_group_id: str, level_id: str
) -> dict[str, str | int]:
    """The query of the GET top-failed routes, public and internal alike."""
    recent = recent_query(days, product_group_id, level_id)
    return {"partNumber": part_number, "processCode": process_code, **recent, "count": count}


def serial_range_query(
    serial_number_type: str,
    start_address: str | None,
    end_address: str | None,
    start_date: str | None,
    end_date: str | None,
) -> dict[str, str | None]:
    """The query naming serial numbers of a type between two addresses and dates (the
    public and the internal serial-number lookups ask alike)."""
    return {
        "serialNumberType": serial_number_type,
        "startAddress": start_address,
        "endAddress": end_address,
        "startDate": start_date,
        "endDate": end_date,
    }


def workflow_query(
    serial_number: str,
    part_number: str,
    operator_name: str | None,
    station_name: str | None,
    status: int | None,
) -> dict[str, str | int | None]:
    """The query both ends of a workflow test send: the unit, who, where, which status."""
    return {
        "serialNumber": serial_number,
        "partNumber": part_number,
        "operatorName": operator_name,
        "stationName": station_name,
        "status": status,
    }


def box_query(
    parent_serial_number: str,
    parent_part_number: str,
    child_serial_number: str,
    child_part_number: str,
) -> dict[str, str]:
    """A parent unit and one of its child units (box build), as the public routes name them."""
    return {
        "parentSerialNumber": parent_serial_number,
        "parentPartNumber": parent_part_number,
        "childSerialNumber": child_serial_number,
        "childPartNumber": child_part_number,
    }
