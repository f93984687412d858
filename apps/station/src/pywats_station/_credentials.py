"""The station's credentials, encrypted at rest.

The passcode is sealed with AES-256-GCM; the server URL and identifier are bound to it as
associated data, so the passcode cannot be replayed against another server by editing the
file. The key lives in the OS keyring where one works, otherwise in an owner-only key file
(mode 0600, checked on every read).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import json
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pywats_station._files import atomic_write_bytes
from pywats_station._home import StationHome

__all__ = [
    "Secret",
    "StationCredentials",
    "CredentialsError",
    "CredentialStore",
    "KeyStoreChoice",
    "basic_token",
]

log = logging.getLogger(__name__)

KeyStoreChoice = Literal["auto", "keyring", "file"]
_FORMAT = 1
_KEYRING_SERVICE = "pywats-station"
_MASK = "********"


class Secret:
    """A string that does not show itself: ``repr``, ``str`` and formatting give a mask.

    Call :meth:`reveal` at the one place that needs the value (the HTTP header).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError("a secret must be a non-empty string")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{_MASK}')"

    def __str__(self) -> str:
        return _MASK

    def __format__(self, spec: str) -> str:
        return _MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(Secret)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


def basic_token(user: str, password: Secret) -> Secret:
    """``base64("<user>:<password>")``, the token of a registered station or of a user."""
    raw = f"{user}:{password.reveal()}".encode()
    return Secret(base64.b64encode(raw).decode("ascii"))


@dataclass(frozen=True)
class StationCredentials:
    """What registration yields: the server, the station's identifier and its passcode."""

    server_url: str
    identifier: str
    passcode: Secret
    registration_token: Secret | None = None
    """The "Register Client" token the station registered with, kept (encrypted, like the
    passcode) so that the station can register itself again when its passcode is refused
    (401). ``None`` when it registered with a user and password, which are never kept."""

    def token(self) -> Secret:
        """The ``Authorization: Basic`` token: ``base64(identifier:passcode)``."""
        return basic_token(self.identifier, self.passcode)


class CredentialsError(Exception):
    """The stored credentials cannot be used (missing key, tampering, loose permissions)."""


class _KeyStore(Protocol):
    name: Literal["keyring", "file"]

    def load(self) -> bytes | None: ...

    def save(self, key: bytes) -> None: ...

    def delete(self) -> None: ...


def _keyring_usable() -> Any:
    """The ``keyring`` module if a real backend is configured, else ``None``."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # absent or broken install: fall back to the key file
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None
    return keyring


class _KeyringKeyStore:
    name: Literal["keyring", "file"] = "keyring"

    def __init__(self, home: StationHome) -> None:
        # One key per station home, so two homes on one machine stay independent.
        self._username = f"credentials-key:{home.data_dir}"

    def _module(self) -> Any:
        module = _keyring_usable()
        if module is None:
            raise CredentialsError("no usable OS keyring on this machine")
        return module

    def load(self) -> bytes | None:
        try:
            text = self._module().get_password(_KEYRING_SERVICE, self._username)
        except CredentialsError:
            raise
        except Exception as exc:
            raise CredentialsError(
                f"the OS keyring could not be read ({type(exc).__name__})"
            ) from None
        if text is None:
            return None
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise CredentialsError("the key in the OS keyring is damaged") from None

    def save(self, key: bytes) -> None:
        try:
            self._module().set_password(
                _KEYRING_SERVICE, self._username, base64.b64encode(key).decode("ascii")
            )
        except CredentialsError:
            raise
        except Exception as exc:
            raise CredentialsError(
                f"the OS keyring refused the key ({type(exc).__name__})"
            ) from None

    def delete(self) -> None:
        module = _keyring_usable()
        if module is not None:
            with contextlib.suppress(Exception):
                module.delete_password(_KEYRING_SERVICE, self._username)


class _FileKeyStore:
    name: Literal["keyring", "file"] = "file"

    def __init__(self, path: Path) -> None:
        self.path = path

    def _check_private(self, st: os.stat_result) -> None:
        if os.name == "nt":  # pragma: no cover - ACLs, not mode bits, on Windows
            return
        if st.st_mode & 0o077:
            raise CredentialsError(
                f"the key file {self.path} can be read by others "
                f"(mode {stat.filemode(st.st_mode)}); it must be readable by its owner only: "
                f"chmod 600 {self.path}"
            )
        if st.st_uid != os.getuid():
            raise CredentialsError(
                f"the key file {self.path} belongs to another user (uid {st.st_uid})"
            )

    def load(self) -> bytes | None:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        with os.fdopen(fd, "rb") as handle:
            self._check_private(os.fstat(handle.fileno()))
            data = handle.read()
        if len(data) != 32:
            raise CredentialsError(f"the key file {self.path} is damaged (wrong length)")
        return data

    def save(self, key: bytes) -> None:
        atomic_write_bytes(self.path, key, mode=0o600)
        self._check_private(os.stat(self.path))

    def delete(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class CredentialStore:
    """Saves and loads a station's credentials in its home.

    ``key_store``: ``"auto"`` (keyring if usable, else key file), ``"keyring"`` or
    ``"file"``. Loading uses whichever store the credentials were saved with.
    """

    def __init__(self, home: StationHome, key_store: KeyStoreChoice = "auto") -> None:
        self.home = home
        self.key_store = key_store
        self.path = home.credentials_file
        self._keyring = _KeyringKeyStore(home)
        self._file = _FileKeyStore(home.key_file)

    def _aad(self, server_url: str, identifier: str, purpose: str | None = None) -> bytes:
        bound = {"server_url": server_url, "identifier": identifier}
        if purpose is not None:
            bound["purpose"] = purpose
        return json.dumps(bound, sort_keys=True).encode()

    def save(self, credentials: StationCredentials) -> str:
        """Encrypt and store; returns where the key went (``"keyring"`` or ``"file"``).

        The key already in the chosen store is kept: only the record is replaced, in one
        atomic write, so a reader (or a crash) between two steps never sees a record next
        to a key it was not sealed with.
        """
        key, store = self._key_for_saving()
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(
            nonce,
            credentials.passcode.reveal().encode(),
            self._aad(credentials.server_url, credentials.identifier),
        )
        record = {
            "format": _FORMAT,
            "server_url": credentials.server_url,
            "identifier": credentials.identifier,
            "key_store": store,
            "nonce": base64.b64encode(nonce).decode("ascii"),
            "ciphertext": base64.b64encode(sealed).decode("ascii"),
        }
        if credentials.registration_token is not None:
            # Same key, its own nonce; the associated data says what it is, so the two
            # ciphertexts cannot be swapped.
            reg_nonce = os.urandom(12)
            reg_sealed = AESGCM(key).encrypt(
                reg_nonce,
                credentials.registration_token.reveal().encode(),
                self._aad(credentials.server_url, credentials.identifier, "registration_token"),
            )
            record["registration_nonce"] = base64.b64encode(reg_nonce).decode("ascii")
            record["registration_ciphertext"] = base64.b64encode(reg_sealed).decode("ascii")
        atomic_write_bytes(self.path, json.dumps(record, indent=2).encode(), mode=0o600)
        # A key left in the other store from an earlier registration is useless now.
        (self._file if store == "keyring" else self._keyring).delete()
        log.info("credentials saved for %s (key in %s)", credentials.identifier, store)
        return store

    def _key_for_saving(self) -> tuple[bytes, Literal["keyring", "file"]]:
        if self.key_store in ("auto", "keyring"):
            try:
                return self._kept_or_new_key(self._keyring), "keyring"
            except CredentialsError as exc:
                if self.key_store == "keyring":
                    raise
                log.info("OS keyring not used (%s); keeping the key in a key file", exc)
        return self._kept_or_new_key(self._file), "file"

    @staticmethod
    def _kept_or_new_key(store: _KeyStore) -> bytes:
        try:
            key = store.load()
        except CredentialsError as exc:
            # A damaged key seals nothing readable; a new one replaces it.
            log.info("replacing an unusable key (%s)", exc)
            key = None
        if key is None:
            key = AESGCM.generate_key(bit_length=256)
            store.save(key)
        return key

    def load(self) -> StationCredentials | None:
        """The stored credentials, ``None`` if the station is not registered.

        Raises :class:`CredentialsError` when they exist but cannot be used.
        """
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            record = json.loads(raw)
            if record.get("format") != _FORMAT:
                raise CredentialsError(
                    f"{self.path}: unknown format {record.get('format')!r}; "
                    "register the station again"
                )
            server_url = str(record["server_url"])
            identifier = str(record["identifier"])
            store_name = record["key_store"]
            nonce = base64.b64decode(record["nonce"], validate=True)
            sealed = base64.b64decode(record["ciphertext"], validate=True)
            reg_sealed: bytes | None = None
            reg_nonce = b""
            if "registration_ciphertext" in record:
                reg_nonce = base64.b64decode(record["registration_nonce"], validate=True)
                reg_sealed = base64.b64decode(record["registration_ciphertext"], validate=True)
        except CredentialsError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
            raise CredentialsError(f"{self.path} is damaged; register the station again") from None
        store: _KeyStore
        if store_name == "keyring":
            store = self._keyring
        elif store_name == "file":
            store = self._file
        else:
            raise CredentialsError(f"{self.path}: unknown key store {store_name!r}")
        key = store.load()
        if key is None:
            raise CredentialsError(
                f"the key for {self.path} is missing from the {store_name}; "
                "register the station again"
            )
        try:
            plain = AESGCM(key).decrypt(nonce, sealed, self._aad(server_url, identifier))
            registration_token = None
            if reg_sealed is not None:
                reg_plain = AESGCM(key).decrypt(
                    reg_nonce,
                    reg_sealed,
                    self._aad(server_url, identifier, "registration_token"),
                )
                registration_token = Secret(reg_plain.decode("utf-8"))
        except (InvalidTag, ValueError):
            raise CredentialsError(
                f"{self.path} does not match its key (edited, or from another machine); "
                "register the station again"
            ) from None
        return StationCredentials(
            server_url, identifier, Secret(plain.decode("utf-8")), registration_token
        )

    def describe(self) -> dict[str, Any]:
        """What can be shown about the stored credentials, without any secret."""
        try:
            record = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {"registered": False}
        except OSError as exc:  # there but unreadable: registering again would not help
            reason = exc.strerror or type(exc).__name__
            return {"registered": False, "damaged": f"cannot read {self.path}: {reason}"}
        except ValueError:
            record = None
        if not isinstance(record, dict):  # there, but not credentials: say so
            damaged = f"{self.path} is damaged; register the station again"
            return {"registered": False, "damaged": damaged}
        return {
            "registered": True,
            "server_url": record.get("server_url"),
            "identifier": record.get("identifier"),
            "key_store": record.get("key_store"),
            "can_reregister": "registration_ciphertext" in record,
        }

    def delete(self) -> None:
        """Forget the credentials and their key."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._keyring.delete()
        self._file.delete()
