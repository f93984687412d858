"""The item file frame: any truncation or bit flip is detected, never mis-read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pywats_queue._codec import CorruptItemError, decode, encode, encode_pack, read_frame

headers = st.fixed_dictionaries(
    {
        "id": st.text(min_size=1, max_size=40),
        "key": st.text(min_size=1, max_size=40),
        "meta": st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5)),
        "created_at": st.floats(0, 4e9),
        "attempts": st.integers(0, 1000),
        "last_error": st.none() | st.text(max_size=50),
        "next_attempt_at": st.floats(0, 4e9),
        "revision": st.integers(0, 1000),
        "finished_at": st.none() | st.floats(0, 4e9),
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


# -- packs (put_many's one-file batches) ----------------------------------------------

_hex_ids = st.integers(0, 2**128 - 1).map(lambda n: f"{n:032x}")
_key_hashes = st.binary(min_size=32, max_size=32).map(bytes.hex)


def _read(blob: bytes, tmp_path_factory: pytest.TempPathFactory, **wanted: str) -> bytes:
    path = tmp_path_factory.mktemp("pack") / "pack"
    path.write_bytes(blob)
    fd = os.open(path, os.O_RDONLY)
    try:
        return read_frame(fd, **wanted)[0]
    finally:
        os.close(fd)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(
    members=st.lists(
        st.tuples(_hex_ids, _key_hashes, st.binary(min_size=1, max_size=64)),
        min_size=1,
        max_size=20,
        unique_by=(lambda m: m[0], lambda m: m[1]),
    ),
    pack_id=_hex_ids,
)
def test_every_pack_member_is_found_by_id_and_by_key_hash(
    members: list[tuple[str, str, bytes]],
    pack_id: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    blob = encode_pack(pack_id, members)
    for item_id, key_hash, frame in members:
        assert _read(blob, tmp_path_factory, item_id=item_id) == frame
        assert _read(blob, tmp_path_factory, key_hash=key_hash) == frame


def test_a_pack_answers_for_its_members_only(tmp_path: Path) -> None:
    # The wanted key hash appears inside another member's id bytes and inside a frame,
    # but only a whole key field may match.
    wanted = "ab" * 32
    members = [
        ("ab" * 16, "cd" * 32, bytes.fromhex(wanted)),
        ("0" * 32, "ef" * 32, b"frame"),
    ]
    path = tmp_path / "pack"
    path.write_bytes(encode_pack("1" * 32, members))
    fd = os.open(path, os.O_RDONLY)
    try:
        assert read_frame(fd, item_id="0" * 32) == (b"frame", "1" * 32)
        with pytest.raises(CorruptItemError, match="no member for key hash"):
            read_frame(fd, key_hash=wanted)
        with pytest.raises(CorruptItemError, match="no member for item"):
            read_frame(fd, item_id="f" * 32)
    finally:
        os.close(fd)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(data=st.data())
def test_damage_to_a_pack_index_is_always_detected(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    members = []
    for n in range(1, 4):
        header = {
            "id": f"{n:032x}",
            "key": f"k{n}",
            "meta": {},
            "created_at": 1.0,
            "attempts": 0,
            "last_error": None,
            "next_attempt_at": 1.0,
            "revision": 0,
            "finished_at": None,
        }
        members.append((f"{n:032x}", f"{n:064x}", encode(header, b"payload %d" % n)))
    intact = encode_pack("9" * 32, members)
    assert decode(_read(intact, tmp_path_factory, item_id=members[0][0]))[1] == b"payload 1"
    blob = bytearray(intact)
    index_end = blob.index(members[0][2])  # frames follow the index and its checksum
    at = data.draw(st.integers(0, index_end - 1))
    blob[at] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(CorruptItemError):  # from the pack index or from the frame read
        decode(_read(bytes(blob), tmp_path_factory, item_id=members[0][0]))


def test_a_damaged_member_count_is_caught_before_any_large_read(tmp_path: Path) -> None:
    members = [(f"{n:032x}", f"{n:064x}", b"frame") for n in range(1, 6)]
    blob = bytearray(encode_pack("9" * 32, members))
    blob[len(b"PWQP1\n") + 16] ^= 0x80  # the count's top byte: 2**31 more members
    path = tmp_path / "pack"
    path.write_bytes(bytes(blob))
    fd = os.open(path, os.O_RDONLY)
    try:
        with pytest.raises(CorruptItemError, match="too short for the 2147483653 members"):
            read_frame(fd, item_id=members[0][0])
    finally:
        os.close(fd)
