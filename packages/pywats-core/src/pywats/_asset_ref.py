"""How a call names one asset: by its id or by its serial number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["AssetRef", "asset_query"]


@dataclass(frozen=True)
class AssetRef:
    """One asset, named by its id (``AssetRef.by_id("…")``) or by its serial number
    (``AssetRef.by_serial("FIX-17")``). WATS takes either in the same calls."""

    key: Literal["id", "serialNumber"]
    value: str

    def __post_init__(self) -> None:
        if self.key not in ("id", "serialNumber"):
            raise ValueError(f"an asset is named by 'id' or 'serialNumber', not {self.key!r}")
        if not isinstance(self.value, str) or not self.value:
            raise ValueError(f"an asset's {self._what} must be a non-empty string")

    @classmethod
    def by_id(cls, asset_id: str) -> AssetRef:
        return cls("id", asset_id)

    @classmethod
    def by_serial(cls, serial_number: str) -> AssetRef:
        return cls("serialNumber", serial_number)

    @property
    def _what(self) -> str:
        return "id" if self.key == "id" else "serial number"

    def __str__(self) -> str:
        return f"the asset with {self._what} {self.value!r}"


def asset_query(asset: object) -> dict[str, str]:
    """The query parameter naming ``asset``; anything else is a clear ``TypeError``."""
    if not isinstance(asset, AssetRef):
        raise TypeError(
            "name the asset with AssetRef.by_id(...) or AssetRef.by_serial(...), "
            f"not {type(asset).__name__} {asset!r}"
        )
    return {asset.key: asset.value}
