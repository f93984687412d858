"""Everything the fake server remembers: credentials, reports, idempotency keys, counters.

Thread-safe: requests mutate it on the server's event loop thread while tests read and
steer it from theirs. No lock is held across an ``await``. With a database file, reports,
registered stations and idempotency records are written through to SQLite on every
change (each change is one committed transaction), and loaded back at start.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import random
import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "DEFAULT_PROCESSES",
    "ClientRecord",
    "IdempotencyRecord",
    "Principal",
    "Process",
    "StoredReport",
    "FakeState",
]

# Fixed namespace so that an API token always maps to the same origin GUID.
_ORIGIN_NAMESPACE = uuid.UUID("6f1d3c52-8a0e-4c36-9d43-2b8f7e5a9c10")


@dataclass(frozen=True)
class Process:
    """A WATS process (operation type)."""

    code: int
    name: str
    description: str = ""
    is_test_operation: bool = False
    is_repair_operation: bool = False
    is_wip_operation: bool = False
    state: int = 1  # 1 = active, 0 = inactive
    process_index: int = 0
    process_id: str = ""

    def guid(self) -> str:
        return self.process_id or str(uuid.uuid5(_ORIGIN_NAMESPACE, f"process:{self.code}"))


# The codes seen in the reference files (10, 90, 500) plus a few common ones.
DEFAULT_PROCESSES: tuple[Process, ...] = (
    Process(10, "SW Debug", "Software debugging", is_test_operation=True, process_index=1),
    Process(50, "PCBA test", "Board level test", is_test_operation=True, process_index=2),
    Process(60, "ICT", "In-circuit test", is_test_operation=True, process_index=3),
    Process(90, "Burn In test", "Burn-in", is_test_operation=True, process_index=4),
    Process(100, "End of line test", "Final test", is_test_operation=True, process_index=5),
    Process(200, "Assembly", "Work in progress", is_wip_operation=True, process_index=6),
    Process(500, "Repair", "Repair", is_repair_operation=True, process_index=7),
    Process(510, "RMA repair", "Returned units", is_repair_operation=True, process_index=8),
    Process(99, "Retired test", "No longer used", is_test_operation=True, state=0, process_index=9),
)


@dataclass(frozen=True)
class Principal:
    """Who sent a request: an API token, a registered station or a registration token."""

    kind: Literal["token", "station", "registration"]
    name: str  # the token itself, or the station identifier

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def origin(self) -> str:
        """What the server writes into a report's ``origin``."""
        if self.kind == "station":
            return self.name
        return str(uuid.uuid5(_ORIGIN_NAMESPACE, self.name))


@dataclass
class ClientRecord:
    identifier: str
    passcode: str
    name: str
    location: str = ""
    purpose: str = ""
    description: str = ""


@dataclass
class StoredReport:
    """The last committed version of one report id, with its delivery counters."""

    id: str  # lower-case GUID
    document: dict[str, Any]  # the report as WSJF JSON (pywats.report.dump_wsjf)
    source_format: Literal["WSJF", "WSXF"]
    raw: bytes  # the body as received in the last commit
    origin: str
    report_number: int  # legacy Report_ID
    timestamp: int  # processing-order counter (ReportHeader.timeStamp)
    commits: int = 0
    replays: int = 0
    received_at: float = field(default_factory=time.time)


@dataclass
class IdempotencyRecord:
    fingerprint: str
    in_flight: bool
    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    report_id: str | None = None


class _RateWindow:
    __slots__ = ("count", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.count = 0


_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY, document TEXT NOT NULL, source_format TEXT NOT NULL,
    raw BLOB NOT NULL, origin TEXT NOT NULL, report_number INTEGER NOT NULL,
    timestamp INTEGER NOT NULL, commits INTEGER NOT NULL, replays INTEGER NOT NULL,
    received_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
    identifier TEXT PRIMARY KEY, passcode TEXT NOT NULL, name TEXT NOT NULL,
    location TEXT NOT NULL, purpose TEXT NOT NULL, description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    principal TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL, report_id TEXT,
    PRIMARY KEY (principal, key));
"""

# The reports table holds a StoredReport per row, its fields as columns in their order.
_REPORT_COLUMNS = tuple(f.name for f in fields(StoredReport))
# (S608: the SQL is built from those field names, never from input.)
_SELECT_REPORTS = f"SELECT {', '.join(_REPORT_COLUMNS)} FROM reports"  # noqa: S608
_SAVE_REPORT = (
    f"INSERT OR REPLACE INTO reports ({', '.join(_REPORT_COLUMNS)})"  # noqa: S608
    f" VALUES ({', '.join('?' * len(_REPORT_COLUMNS))})"
)


class FakeState:
    """The fake server's memory. All public methods are thread-safe."""

    def __init__(
        self,
        *,
        tokens: Iterable[str] = (),
        registration_tokens: Iterable[str] = (),
        processes: Iterable[Process] = DEFAULT_PROCESSES,
        seed: int | None = None,
        db_path: str | Path | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self.tokens: set[str] = set(tokens)
        self.registration_tokens: set[str] = set(registration_tokens)
        self.expired: set[str] = set()
        self.clients: dict[str, ClientRecord] = {}
        self.processes: list[Process] = list(processes)
        self.reports: dict[str, StoredReport] = {}
        self.idempotency: dict[tuple[str, str], IdempotencyRecord] = {}
        self.route_counts: Counter[tuple[str, str]] = Counter()
        self.rate_limit: tuple[int, float] | None = None
        self._windows: dict[str, _RateWindow] = {}
        self._timestamp = 0
        self._report_number = 0
        self._db: sqlite3.Connection | None = None
        if db_path is not None:
            self._open_db(Path(db_path))

    # -- persistence ------------------------------------------------------------------
    def _open_db(self, path: Path) -> None:
        db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(_SCHEMA)
        for row in db.execute(_SELECT_REPORTS):
            values = dict(zip(_REPORT_COLUMNS, row, strict=True))
            values.update(document=json.loads(values["document"]), raw=bytes(values["raw"]))
            report = StoredReport(**values)
            self.reports[report.id] = report
            self._timestamp = max(self._timestamp, report.timestamp)
            self._report_number = max(self._report_number, report.report_number)
        for row in db.execute(
            "SELECT identifier, passcode, name, location, purpose, description FROM clients"
        ):
            self.clients[row[0]] = ClientRecord(*row)
        for row in db.execute(
            "SELECT principal, key, fingerprint, status, headers, body, report_id FROM idempotency"
        ):
            self.idempotency[(row[0], row[1])] = IdempotencyRecord(
                fingerprint=row[2],
                in_flight=False,
                status=row[3],
                headers=[(k, v) for k, v in json.loads(row[4])],
                body=bytes(row[5]),
                report_id=row[6],
            )
        self._db = db

    def _save_report(self, report: StoredReport) -> None:
        if self._db is None:
            return
        values = {name: getattr(report, name) for name in _REPORT_COLUMNS}
        values["document"] = json.dumps(report.document)
        self._db.execute(_SAVE_REPORT, tuple(values.values()))

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- credentials ------------------------------------------------------------------
    def new_secret(self, nbytes: int = 16) -> str:
        with self._lock:
            return "".join(f"{self._rng.randrange(256):02x}" for _ in range(nbytes))

    def authenticate(self, authorization: str | None) -> Principal | None:
        """Map an ``Authorization`` header to a principal, as WATS does, or ``None``."""
        if not authorization:
            return None
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "basic" or not credential:
            return None
        with self._lock:
            if credential in self.tokens:
                return None if credential in self.expired else Principal("token", credential)
            if credential in self.registration_tokens:
                if credential in self.expired:
                    return None
                return Principal("registration", credential)
            try:
                decoded = base64.b64decode(credential, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None
            identifier, sep, passcode = decoded.partition(":")
            if not sep:
                return None
            client = self.clients.get(identifier)
            if client is None or client.passcode != passcode or identifier in self.expired:
                return None
            return Principal("station", identifier)

    def register_client(
        self,
        identifier: str,
        name: str,
        *,
        location: str = "",
        purpose: str = "",
        description: str = "",
    ) -> str:
        """Create or re-register a station; returns its new passcode.

        Re-registering an identifier issues a new passcode and the old one stops
        working [inferred: the real server's behaviour here is not documented].
        """
        passcode = self.new_secret(24)
        with self._lock:
            record = ClientRecord(identifier, passcode, name, location, purpose, description)
            self.clients[identifier] = record
            self.expired.discard(identifier)
            if self._db is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO clients VALUES (?,?,?,?,?,?)",
                    (identifier, passcode, name, location, purpose, description),
                )
        return passcode

    def expire_credential(self, credential: str) -> None:
        """From now on the token (or station identifier) gets 401."""
        with self._lock:
            self.expired.add(credential)

    def restore_credential(self, credential: str) -> None:
        with self._lock:
            self.expired.discard(credential)

    def add_token(self, token: str, *, registration: bool = False) -> None:
        if not token or token != token.strip() or " " in token:
            raise ValueError("a token must be a non-empty string without spaces")
        with self._lock:
            (self.registration_tokens if registration else self.tokens).add(token)
            self.expired.discard(token)

    # -- rate limit ---------------------------------------------------------------------
    def check_rate(self, principal: Principal, now: float | None = None) -> int | None:
        """Count one request; ``None`` if allowed, else the seconds to put in Retry-After."""
        with self._lock:
            if self.rate_limit is None:
                return None
            limit, window = self.rate_limit
            now = time.monotonic() if now is None else now
            state = self._windows.get(principal.key)
            if state is None or now - state.started >= window:
                state = self._windows[principal.key] = _RateWindow(now)
            state.count += 1
            if state.count <= limit:
                return None
            return max(1, math.ceil(window - (now - state.started)))

    def set_rate_limit(self, requests: int | None, per_seconds: float = 60.0) -> None:
        with self._lock:
            if requests is None:
                self.rate_limit = None
            else:
                if requests < 1 or per_seconds <= 0:
                    raise ValueError("rate limit needs requests >= 1 and per_seconds > 0")
                self.rate_limit = (requests, per_seconds)
            self._windows.clear()

    # -- counters ---------------------------------------------------------------------
    def count_request(self, method: str, template: str) -> None:
        with self._lock:
            self.route_counts[(method, template)] += 1

    # -- reports ----------------------------------------------------------------------
    def commit_report(
        self,
        report_id: str,
        document: dict[str, Any],
        source_format: Literal["WSJF", "WSXF"],
        raw: bytes,
        origin: str,
    ) -> StoredReport:
        """Upsert by report id; returns the stored record."""
        key = report_id.lower()
        with self._lock:
            self._timestamp += 1
            existing = self.reports.get(key)
            if existing is None:
                self._report_number += 1
                stored = StoredReport(
                    id=key,
                    document=document,
                    source_format=source_format,
                    raw=raw,
                    origin=origin,
                    report_number=self._report_number,
                    timestamp=self._timestamp,
                )
                self.reports[key] = stored
            else:
                stored = existing
                stored.document = document
                stored.source_format = source_format
                stored.raw = raw
                stored.origin = origin
                stored.timestamp = self._timestamp
                stored.received_at = time.time()
            stored.commits += 1
            self._save_report(stored)
            return stored

    def count_replay(self, report_id: str | None) -> None:
        if report_id is None:
            return
        with self._lock:
            stored = self.reports.get(report_id.lower())
            if stored is not None:
                stored.replays += 1
                self._save_report(stored)

    def get_report(self, report_id: str) -> StoredReport | None:
        with self._lock:
            return self.reports.get(report_id.strip().lower())

    def all_reports(self) -> list[StoredReport]:
        with self._lock:
            return list(self.reports.values())

    # -- idempotency ------------------------------------------------------------------
    def idempotency_begin(
        self, principal: Principal, key: str, fingerprint: str
    ) -> IdempotencyRecord | None:
        """Claim ``key``; returns ``None`` when claimed, else the existing record."""
        with self._lock:
            record = self.idempotency.get((principal.key, key))
            if record is not None:
                return record
            self.idempotency[(principal.key, key)] = IdempotencyRecord(fingerprint, True)
            return None

    def idempotency_finish(
        self,
        principal: Principal,
        key: str,
        *,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        report_id: str | None,
    ) -> None:
        """Store a committed response for replay; a failed request releases the key."""
        with self._lock:
            record = self.idempotency.get((principal.key, key))
            if record is None:
                return
            if not 200 <= status < 300:
                del self.idempotency[(principal.key, key)]
                return
            record.in_flight = False
            record.status, record.headers, record.body = status, headers, body
            record.report_id = report_id
            if self._db is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO idempotency VALUES (?,?,?,?,?,?,?)",
                    (
                        principal.key,
                        key,
                        record.fingerprint,
                        status,
                        json.dumps(headers),
                        body,
                        report_id,
                    ),
                )

    def idempotency_abandon(self, principal: Principal, key: str) -> None:
        with self._lock:
            record = self.idempotency.get((principal.key, key))
            if record is not None and record.in_flight:
                del self.idempotency[(principal.key, key)]

    # -- housekeeping -----------------------------------------------------------------
    def clear(self) -> None:
        """Forget reports, stations, keys and counters (credentials and processes stay)."""
        with self._lock:
            self.reports.clear()
            self.clients.clear()
            self.idempotency.clear()
            self.route_counts.clear()
            self._windows.clear()
            self.expired.clear()
            self._timestamp = 0
            self._report_number = 0
            if self._db is not None:
                self._db.executescript(
                    "DELETE FROM reports; DELETE FROM clients; DELETE FROM idempotency;"
                )
