"""``help()`` on the sync API reads as sync: no ``async with``, ``await`` or ``aclose``.

The sync classes are generated from the async ones (tools/codegen.py); their docstrings
are reworded on the way. This reads what a user reads: pydoc's rendering.
"""

from __future__ import annotations

import pydoc
import re

import pytest

import pywats
from pywats._sync.app._service import AppService
from pywats._sync.report._service import ReportService

ASYNC_WORDS = re.compile(
    r"\basync\b|\bawait\b|\baclose\b|\bAsync[A-Z]\w*|__aenter__|__aexit__|__aiter__|__anext__"
)


def _help(thing: object) -> str:
    return pydoc.render_doc(thing, renderer=pydoc.plaintext)


def test_help_of_the_sync_client_speaks_sync() -> None:
    text = _help(pywats.WATS)
    assert "A client for one WATS server." in text  # the class docstring is rendered
    words = " ".join(w for w in text.split() if w != "|")  # pydoc's margin, line breaks
    assert "Use it as a context manager, or call :meth:`close` when done." in words
    assert ASYNC_WORDS.findall(text) == []


@pytest.mark.parametrize("cls", [pywats.PagedIterator, AppService, ReportService])
def test_help_of_the_sync_services_speaks_sync(cls: type) -> None:
    text = _help(cls)
    assert cls.__name__ in text
    assert ASYNC_WORDS.findall(text) == []


def test_the_check_sees_async_wording() -> None:
    # Guard against a vacuous check: the async client's help is full of it.
    assert ASYNC_WORDS.findall(_help(pywats.AsyncWATS))
