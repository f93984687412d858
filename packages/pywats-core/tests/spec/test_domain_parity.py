"""Each domain of the generated sync client has the async domain's methods, signatures
and operations; and `import pywats` loads none of the domains or pydantic."""

from __future__ import annotations

import inspect
import operator
import subprocess
import sys

import pytest
from test_spec_walk import DOMAINS

import pywats


def _methods(service: object) -> dict[str, tuple[str, str | None]]:
    out = {}
    for name, member in inspect.getmembers(type(service), callable):
        if name.startswith("_"):
            continue
        op = getattr(member, "__wats_operation__", None)
        signature = str(inspect.signature(member)).replace("AsyncPagedIterator", "PagedIterator")
        out[name] = (signature, op.key if op else None)
    return out


@pytest.mark.parametrize("domain", DOMAINS)
def test_sync_domain_matches_async_domain(domain: str) -> None:
    async_side = _methods(operator.attrgetter(domain)(pywats.AsyncWATS("http://x", "dA==")))
    sync_side = _methods(operator.attrgetter(domain)(pywats.WATS("http://x", "dA==")))
    assert sync_side == async_side
    assert any(op for _, op in async_side.values())
    for name in async_side:
        member = getattr(
            type(operator.attrgetter(domain)(pywats.AsyncWATS("http://x", "dA=="))), name
        )
        sync_member = getattr(
            type(operator.attrgetter(domain)(pywats.WATS("http://x", "dA=="))), name
        )
        assert not inspect.iscoroutinefunction(sync_member)
        if not inspect.signature(member).return_annotation.startswith("AsyncPagedIterator"):
            assert inspect.iscoroutinefunction(member), f"{domain}.{name} is not async"


def test_import_pywats_loads_no_domain_and_no_pydantic() -> None:
    code = (
        "import sys, pywats\n"
        "loaded = [m for m in sys.modules if m.startswith(('pydantic', 'pywats.models'))"
        " or m.endswith('._service') and '.app.' not in m and '.report.' not in m]\n"
        "print(loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
