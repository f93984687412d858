"""Domain services built on first use, so a script pays only for the domains it touches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar, cast

__all__ = ["ServiceCache"]

A = TypeVar("A")
S = TypeVar("S")


class ServiceCache(Generic[A]):
    """One instance of each service class, made from the shared API object when first
    asked for (the client's domains, ``wats.internal``'s areas)."""

    def __init__(self, api: A) -> None:
        self._api = api
        self._built: dict[Callable[[A], object], object] = {}

    def get(self, service: Callable[[A], S]) -> S:
        found = self._built.get(service)
        if found is None:
            found = self._built[service] = service(self._api)
        return cast("S", found)
