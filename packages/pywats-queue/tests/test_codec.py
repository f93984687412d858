"""The item file frame: any truncation or bit flip is detected, never mis-read."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pywats_queue._file import CorruptItemError, decode, encode

headers = st.fixed_dictionaries(
    {
        "id": st.text(min_size=1, max_size=40),
        "key": st.text(min_size=1, max_size=40),
        "meta": st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5)),
        "created_at": st.floats(0, 4e9),
        "attempts": st.integers(0, 1000),
        "last_error": st.none() | st.text(max_size=50),
    }
)


@given(header=headers, payload=st.binary(max_size=512))
def test_round_trip(header: dict[str, object], payload: bytes) -> None:
    assert decode(encode(header, payload)) == (header, payload)


@given(header=headers, payload=st.binary(max_size=256), data=st.data())
def test_truncation_is_always_detected(
    header: dict[str, object], payload: bytes, data: st.DataObject
) -> None:
    blob = encode(header, payload)
    cut = data.draw(st.integers(0, len(blob) - 1))
    with pytest.raises(CorruptItemError):
        decode(blob[:cut])


@given(header=headers, payload=st.binary(max_size=256), data=st.data())
def test_any_flipped_bit_is_detected(
    header: dict[str, object], payload: bytes, data: st.DataObject
) -> None:
    blob = bytearray(encode(header, payload))
    position = data.draw(st.integers(0, len(blob) - 1))
    blob[position] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(CorruptItemError):
        decode(bytes(blob))


@given(junk=st.binary(max_size=300))
def test_arbitrary_bytes_are_rejected_cleanly(junk: bytes) -> None:
    with pytest.raises(CorruptItemError):
        decode(junk)
