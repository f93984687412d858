"""help() on every generated sync domain reads as sync (no async words)."""

from __future__ import annotations

import operator
import pydoc
import re

import pytest
from test_spec_walk import DOMAINS

import pywats

ASYNC_WORDS = re.compile(
    r"\basync\b|\bawait\b|\baclose\b|\bAsync[A-Z]\w*|__aenter__|__aexit__|__aiter__|__anext__"
)


@pytest.mark.parametrize("domain", DOMAINS)
def test_help_of_a_sync_domain_speaks_sync(domain: str) -> None:
    service = type(operator.attrgetter(domain)(pywats.WATS("http://wats.invalid", "dA==")))
    text = pydoc.render_doc(service, renderer=pydoc.plaintext)
    assert service.__name__ in text
    assert ASYNC_WORDS.findall(text) == []
