"""The generated sync API has exactly the async API's public methods and signatures."""

from __future__ import annotations

import importlib.util
import inspect
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import pywats
from pywats._async._http import AsyncHttpClient
from pywats._async.app._repository import AsyncAppRepository
from pywats._async.app._service import AsyncAppService
from pywats._sync._http import HttpClient
from pywats._sync.app._repository import AppRepository
from pywats._sync.app._service import AppService

ROOT = Path(__file__).resolve().parents[4]


def _codegen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("codegen", ROOT / "tools" / "codegen.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RENAMES: dict[str, str] = {
    **_codegen().RULES,
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "AsyncIterator": "Iterator",
}


def _to_sync(text: str) -> str:
    return re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: RENAMES.get(m[0], m[0]), text)


def _public_api(cls: type) -> dict[str, Any]:
    protocol = {*RENAMES, *RENAMES.values(), "__init__"}
    return {n: getattr(cls, n) for n in dir(cls) if not n.startswith("_") or n in protocol}


def _signature(obj: Any) -> str:
    if isinstance(obj, property):
        obj = obj.fget
    if callable(obj):
        return str(inspect.signature(obj))
    return repr(obj)


PAIRS = [
    (pywats.AsyncWATS, pywats.WATS),
    (AsyncAppService, AppService),
    (AsyncAppRepository, AppRepository),
    (AsyncHttpClient, HttpClient),
    (pywats.AsyncPagedIterator, pywats.PagedIterator),
]


@pytest.mark.parametrize(("async_cls", "sync_cls"), PAIRS, ids=lambda c: c.__name__)
def test_same_methods_and_signatures(async_cls: type, sync_cls: type) -> None:
    async_api = _public_api(async_cls)
    sync_api = _public_api(sync_cls)
    expected = {_to_sync(name): _to_sync(_signature(obj)) for name, obj in async_api.items()}
    actual = {name: _signature(obj) for name, obj in sync_api.items()}
    assert actual == expected
    # The public surface is not trivially empty, and async methods really are async.
    assert len(async_api) >= 2
    for name, obj in async_api.items():
        sync_obj = sync_api[_to_sync(name)]
        if inspect.iscoroutinefunction(obj):
            assert not inspect.iscoroutinefunction(sync_obj), name


def test_facade_exposes_the_same_domain_services() -> None:
    async_attrs = set(vars(pywats.AsyncWATS("http://h", "t")))
    sync_attrs = set(vars(pywats.WATS("http://h", "t")))
    assert async_attrs == sync_attrs
    assert "app" in async_attrs
