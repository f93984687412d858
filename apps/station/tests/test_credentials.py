from __future__ import annotations

import base64
import json
import os
import pickle
import threading
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from pywats_station import (
    CredentialsError,
    CredentialStore,
    Secret,
    StationCredentials,
    resolve_home,
)

PASSCODE = "pc-Zq8s7Vt1x9WcL0mN4rT2"


def _credentials() -> StationCredentials:
    return StationCredentials("http://127.0.0.1:9", "4C5F70D62FF4", Secret(PASSCODE))


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring backend: this machine has no OS keyring service to use."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


class BrokenKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("D-Bus says no")


@pytest.fixture
def no_keyring() -> Any:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> Any:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_secret_never_shows_itself() -> None:
    secret = Secret(PASSCODE)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret:>40}"):
        assert PASSCODE not in text
    assert PASSCODE not in repr(_credentials())
    assert secret.reveal() == PASSCODE
    assert secret == Secret(PASSCODE)
    assert secret != Secret(PASSCODE + "x")
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(ValueError, match="non-empty"):
        Secret("")


def test_station_token_is_base64_of_identifier_and_passcode() -> None:
    token = _credentials().token().reveal()
    assert base64.b64decode(token).decode() == f"4C5F70D62FF4:{PASSCODE}"


def test_file_key_store_round_trip(tmp_path: Path, no_keyring: None) -> None:
    home = resolve_home(tmp_path)
    store = CredentialStore(home)
    assert store.load() is None
    assert store.describe() == {"registered": False}
    assert store.save(_credentials()) == "file"
    loaded = CredentialStore(home).load()
    assert loaded == _credentials()
    # Encrypted at rest: neither file holds the passcode or the token in any usual encoding.
    raw = home.credentials_file.read_bytes() + home.key_file.read_bytes()
    token = _credentials().token().reveal()
    for needle in (PASSCODE, token, base64.b64encode(PASSCODE.encode()).decode()):
        assert needle.encode() not in raw
    assert os.stat(home.key_file).st_mode & 0o777 == 0o600
    assert os.stat(home.credentials_file).st_mode & 0o777 == 0o600
    assert store.describe() == {
        "registered": True,
        "server_url": "http://127.0.0.1:9",
        "identifier": "4C5F70D62FF4",
        "key_store": "file",
        "can_reregister": False,
    }


def test_the_registration_token_is_kept_encrypted_and_bound(
    tmp_path: Path, no_keyring: None
) -> None:
    home = resolve_home(tmp_path)
    registration_token = "RegTok-kept-for-re-registration"
    credentials = StationCredentials(
        "http://127.0.0.1:9", "4C5F70D62FF4", Secret(PASSCODE), Secret(registration_token)
    )
    CredentialStore(home).save(credentials)
    loaded = CredentialStore(home).load()
    assert loaded is not None
    assert loaded.registration_token == Secret(registration_token)
    assert loaded == credentials
    assert CredentialStore(home).describe()["can_reregister"] is True
    raw = home.credentials_file.read_bytes() + home.key_file.read_bytes()
    for needle in (registration_token, base64.b64encode(registration_token.encode()).decode()):
        assert needle.encode() not in raw
    assert registration_token not in repr(loaded)
    # Swapping the two ciphertexts is detected: each is bound to what it is.
    record = json.loads(home.credentials_file.read_bytes())
    record["ciphertext"], record["registration_ciphertext"] = (
        record["registration_ciphertext"],
        record["ciphertext"],
    )
    record["nonce"], record["registration_nonce"] = (
        record["registration_nonce"],
        record["nonce"],
    )
    home.credentials_file.write_text(json.dumps(record))
    with pytest.raises(CredentialsError, match="does not match its key"):
        CredentialStore(home).load()


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644])
def test_a_key_file_readable_by_others_is_refused(
    tmp_path: Path, no_keyring: None, mode: int
) -> None:
    home = resolve_home(tmp_path)
    CredentialStore(home).save(_credentials())
    os.chmod(home.key_file, mode)
    with pytest.raises(CredentialsError, match="readable by its owner only: chmod 600"):
        CredentialStore(home).load()


def test_editing_the_server_url_breaks_decryption(tmp_path: Path, no_keyring: None) -> None:
    # The passcode must not be sent to a server it was not issued by.
    home = resolve_home(tmp_path)
    CredentialStore(home).save(_credentials())
    record = json.loads(home.credentials_file.read_text())
    record["server_url"] = "https://attacker.example"
    home.credentials_file.write_text(json.dumps(record))
    with pytest.raises(CredentialsError, match="does not match its key") as info:
        CredentialStore(home).load()
    assert PASSCODE not in str(info.value)


def test_tampered_ciphertext_is_refused(tmp_path: Path, no_keyring: None) -> None:
    home = resolve_home(tmp_path)
    CredentialStore(home).save(_credentials())
    record = json.loads(home.credentials_file.read_text())
    sealed = bytearray(base64.b64decode(record["ciphertext"]))
    sealed[0] ^= 1
    record["ciphertext"] = base64.b64encode(bytes(sealed)).decode()
    home.credentials_file.write_text(json.dumps(record))
    with pytest.raises(CredentialsError, match="does not match its key"):
        CredentialStore(home).load()


def test_missing_key_file_is_explained(tmp_path: Path, no_keyring: None) -> None:
    home = resolve_home(tmp_path)
    CredentialStore(home).save(_credentials())
    home.key_file.unlink()
    with pytest.raises(CredentialsError, match="missing from the file; register the station"):
        CredentialStore(home).load()


def test_damaged_credentials_file_is_explained(tmp_path: Path, no_keyring: None) -> None:
    home = resolve_home(tmp_path)
    CredentialStore(home).save(_credentials())
    home.credentials_file.write_text("{not json")
    with pytest.raises(CredentialsError, match="is damaged"):
        CredentialStore(home).load()


def test_keyring_holds_the_key_when_available(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    home = resolve_home(tmp_path)
    assert CredentialStore(home).save(_credentials()) == "keyring"
    assert not home.key_file.exists()
    assert len(memory_keyring.items) == 1
    (service, username), value = next(iter(memory_keyring.items.items()))
    assert service == "pywats-station"
    assert str(home.data_dir) in username
    assert len(base64.b64decode(value)) == 32
    assert PASSCODE not in value
    assert CredentialStore(home).load() == _credentials()
    # A second home on the same machine gets its own key.
    other = resolve_home(tmp_path / "other")
    CredentialStore(other).save(_credentials())
    assert len(memory_keyring.items) == 2
    CredentialStore(other).delete()
    assert len(memory_keyring.items) == 1
    assert CredentialStore(home).load() == _credentials()


def test_auto_falls_back_to_a_key_file_when_the_keyring_fails(tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        home = resolve_home(tmp_path)
        assert CredentialStore(home, "auto").save(_credentials()) == "file"
        assert CredentialStore(home).load() == _credentials()
        with pytest.raises(CredentialsError, match="OS keyring refused the key"):
            CredentialStore(home, "keyring").save(_credentials())
    finally:
        keyring.set_keyring(previous)


def test_keyring_required_but_absent_is_a_clear_error(tmp_path: Path, no_keyring: None) -> None:
    home = resolve_home(tmp_path)
    with pytest.raises(CredentialsError, match="no usable OS keyring"):
        CredentialStore(home, "keyring").save(_credentials())
    assert CredentialStore(home, "file").save(_credentials()) == "file"


def test_key_stored_in_keyring_that_disappeared(tmp_path: Path, memory_keyring: Any) -> None:
    home = resolve_home(tmp_path)
    CredentialStore(home).save(_credentials())
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialsError, match="no usable OS keyring"):
        CredentialStore(home).load()


def test_a_reader_never_sees_a_record_beside_a_key_it_was_not_sealed_with(
    tmp_path: Path, no_keyring: None
) -> None:
    # The console re-registers while the uploader loads credentials: each load must give
    # the old or the new credentials, never "does not match its key".
    home = resolve_home(tmp_path)
    CredentialStore(home).save(_credentials())
    saved = {PASSCODE}
    stop = threading.Event()

    def save_again_and_again() -> None:
        for n in range(150):
            passcode = f"pc-{n:04d}-rotated"
            saved.add(passcode)
            CredentialStore(home).save(
                StationCredentials("http://127.0.0.1:9", "4C5F70D62FF4", Secret(passcode))
            )
        stop.set()

    writer = threading.Thread(target=save_again_and_again)
    writer.start()
    loads = 0
    try:
        while not stop.is_set() or loads == 0:
            loaded = CredentialStore(home).load()
            assert loaded is not None
            assert loaded.passcode.reveal() in saved
            loads += 1
    finally:
        writer.join()
    assert loads > 0


def test_saving_again_keeps_the_key(tmp_path: Path, no_keyring: None) -> None:
    home = resolve_home(tmp_path)
    CredentialStore(home).save(_credentials())
    key = home.key_file.read_bytes()
    CredentialStore(home).save(_credentials())
    assert home.key_file.read_bytes() == key
    home.key_file.write_bytes(b"short")  # damaged: a new key replaces it
    CredentialStore(home).save(_credentials())
    assert len(home.key_file.read_bytes()) == 32
    assert CredentialStore(home).load() == _credentials()
