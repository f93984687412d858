"""``pywats-station``: the station's command line."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import logging.handlers
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pywats import AsyncWATS
from pywats_queue import Item, Queue, QueueError, open_queue
from pywats_station._breaker import CircuitBreaker
from pywats_station._config import (
    ConfigError,
    StationConfig,
    load_config,
    parse_config,
    save_config,
)
from pywats_station._connection import ConnectionService
from pywats_station._credentials import (
    CredentialsError,
    CredentialStore,
    Secret,
    StationCredentials,
)
from pywats_station._files import read_status
from pywats_station._home import HOME_ENV_VAR, StationHome, resolve_home
from pywats_station._lock import InstanceLock, InstanceLockedError, lock_holder
from pywats_station._redact import SecretRedactor
from pywats_station._register import (
    RegistrationError,
    StationInfo,
    default_identifier,
    register_station,
)
from pywats_station._service import queue_url, run_service, stop_on_signals
from pywats_station._version import __version__

__all__ = ["main"]

TOKEN_ENV_VAR = "PYWATS_REGISTRATION_TOKEN"  # noqa: S105 - a variable name
PASSWORD_ENV_VAR = "PYWATS_REGISTRATION_PASSWORD"  # noqa: S105 - a variable name

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3

log = logging.getLogger("pywats_station")
_redactor = SecretRedactor()


class _UserError(Exception):
    """A problem the user can fix; printed as one message, no traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


_installed_handlers: list[logging.Handler] = []


def _setup_logging(home: StationHome, verbosity: int) -> None:
    root = logging.getLogger()
    # main() may run more than once in a process (tests, embedding): replace, not add.
    for handler in _installed_handlers:
        root.removeHandler(handler)
        handler.close()
    _installed_handlers.clear()
    root.setLevel(logging.DEBUG)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    home.ensure()
    log_file = logging.handlers.RotatingFileHandler(
        home.log_dir / "station.log", maxBytes=5_000_000, backupCount=3, encoding="utf-8"
    )
    log_file.setLevel(logging.DEBUG if verbosity >= 1 else logging.INFO)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(
        logging.DEBUG if verbosity >= 2 else logging.INFO if verbosity == 1 else logging.WARNING
    )
    # Tracebacks go to the log file only; the terminal gets one line per problem.
    console.addFilter(lambda record: getattr(record, "console", True))
    for handler in (log_file, console):
        handler.setFormatter(fmt)
        handler.addFilter(_redactor)
        root.addHandler(handler)
        _installed_handlers.append(handler)


def _load_config(home: StationHome) -> StationConfig:
    try:
        return load_config(home.config_file)
    except ConfigError as exc:
        raise _UserError(str(exc)) from None


def _read_secret_file(path: str) -> Secret:
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise _UserError(f"cannot read the token file {path}: {exc.strerror or exc}") from None
    if not text:
        raise _UserError(f"the token file {path} is empty")
    return Secret(text)


def _prompt_secret(prompt: str) -> Secret:
    if not sys.stdin.isatty():
        raise _UserError(f"{prompt.rstrip(': ')} is required (no terminal to ask on)")
    text = getpass.getpass(prompt).strip()
    if not text:
        raise _UserError(f"{prompt.rstrip(': ')} must not be empty")
    return Secret(text)


def _cmd_register(args: argparse.Namespace, home: StationHome) -> int:
    config = _load_config(home)
    token: Secret | None = None
    password: Secret | None = None
    if args.user is not None:
        env_password = os.environ.get(PASSWORD_ENV_VAR, "").strip()
        password = Secret(env_password) if env_password else _prompt_secret("Password: ")
        _redactor.add(password.reveal())
    else:
        if args.token_file:
            token = _read_secret_file(args.token_file)
        elif os.environ.get(TOKEN_ENV_VAR, "").strip():
            token = Secret(os.environ[TOKEN_ENV_VAR].strip())
        else:
            token = _prompt_secret("Registration token: ")
        _redactor.add(token.reveal())
    station = StationInfo(
        identifier=args.identifier or config.station.identifier or default_identifier(),
        name=args.name or config.station.name,
        location=args.location if args.location is not None else config.station.location,
        purpose=args.purpose if args.purpose is not None else config.station.purpose,
    )
    # Check the new settings before anything is sent, so a bad --name or --url costs nothing.
    data = config.model_dump()
    data["server"]["url"] = args.url
    data["station"].update(
        identifier=station.identifier,
        name=station.name,
        location=station.location,
        purpose=station.purpose,
    )
    try:
        updated = parse_config(data, home.config_file)
    except ConfigError as exc:
        raise _UserError(str(exc).replace("invalid configuration", "invalid settings")) from None
    verify: bool | str = False if args.insecure else config.server.verify_tls
    key_store = args.key_store or config.credentials.key_store
    # A running station may stay up: it picks up the new credentials by itself. Only two
    # registrations at once are refused.
    lock = InstanceLock(home.data_dir / "register.lock")
    try:
        lock.acquire()
    except InstanceLockedError as exc:
        holder = f" (pid {exc.holder.get('pid')})" if exc.holder else ""
        raise _UserError(
            f"another `pywats-station register`{holder} is running for this station home",
            EXIT_LOCKED,
        ) from None
    try:
        try:
            credentials, info = asyncio.run(
                register_station(
                    args.url,
                    station,
                    registration_token=token,
                    user=args.user,
                    password=password,
                    verify=verify,
                )
            )
        except ValueError as exc:
            raise _UserError(str(exc)) from None
        except RegistrationError as exc:
            raise _UserError(str(exc), EXIT_FAILED) from None
        _redactor.add(credentials.passcode.reveal())
        _redactor.add(credentials.token().reveal())
        try:
            store = CredentialStore(home, key_store).save(credentials)
        except CredentialsError as exc:
            raise _UserError(f"could not store the credentials: {exc}", EXIT_FAILED) from None
        save_config(updated, home.config_file)
    finally:
        lock.release()
    where = "the OS keyring" if store == "keyring" else f"the key file {home.key_file}"
    print(
        f"Registered station {station.name!r} as {station.identifier} with "
        f"{credentials.server_url} (WATS {info.get('Version', 'version unknown')}).\n"
        f"The passcode is stored encrypted in {home.credentials_file}; its key is in {where}."
    )
    return EXIT_OK


def _credentials(config: StationConfig, home: StationHome) -> StationCredentials:
    """The stored credentials, checked against the config; :class:`_UserError` if unusable."""
    try:
        credentials = CredentialStore(home, config.credentials.key_store).load()
    except CredentialsError as exc:
        raise _UserError(str(exc), EXIT_FAILED) from None
    if credentials is None:
        raise _UserError(
            "the station is not registered; run `pywats-station register --url URL`",
            EXIT_FAILED,
        )
    if config.server.url and config.server.url != credentials.server_url:
        raise _UserError(
            f"the credentials were registered with {credentials.server_url}, but the "
            f"config names {config.server.url}; run `pywats-station register` again",
            EXIT_FAILED,
        )
    _redactor.add(credentials.passcode.reveal())
    _redactor.add(credentials.token().reveal())
    return credentials


async def _probe(config: StationConfig, home: StationHome) -> dict[str, Any]:
    try:
        credentials = _credentials(config, home)
    except _UserError as exc:
        return {"state": "error", "reason": str(exc)}
    breaker = CircuitBreaker(config.breaker.failure_threshold, config.breaker.reset_timeout)
    async with AsyncWATS(
        credentials.server_url, credentials.token().reveal(), verify=config.server.verify_tls
    ) as client:
        service = ConnectionService.for_client(client, breaker=breaker)
        await service.connect()
        snapshot = service.snapshot()
        service.close()
    return snapshot


def _queue_depth(home: StationHome, config: StationConfig) -> dict[str, Any] | None:
    """The queue's depth per state now, or ``None`` if there is no queue yet."""
    try:
        with open_queue(queue_url(home, config), create=False) as queue:
            return dict(queue.stats().depth)
    except QueueError as exc:
        log.debug("no queue statistics: %s", exc)
        return None


def _describe_last_status(last: dict[str, Any]) -> list[str]:
    """The running station's own numbers from ``status.json``, one line per topic."""
    lines: list[str] = []
    conn = last.get("connection")
    if isinstance(conn, dict):
        version = f" (WATS {conn['server_version']})" if conn.get("server_version") else ""
        lines.append(
            f"    connection  {conn.get('state')}{version}, offline "
            f"{conn.get('offline_seconds', 0):.0f} s now, "
            f"{conn.get('total_offline_seconds', 0):.0f} s in total"
        )
    metrics = last.get("metrics")
    if isinstance(metrics, dict):
        uploads = metrics.get("uploads", {})
        when = metrics.get("last_successful_upload")
        stamp = (
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
            if isinstance(when, (int, float))
            else "never"
        )
        lines.append(
            f"    uploads     {uploads.get('succeeded', 0)} ok, {uploads.get('retried', 0)} "
            f"retried, {uploads.get('failed', 0)} failed; last success {stamp}"
        )
        depth = metrics.get("queue_depth", {})
        if isinstance(depth, dict):
            lines.append("    queue       " + ", ".join(f"{k} {v}" for k, v in depth.items()))
        lines.append(f"    breaker     {metrics.get('breaker_state')}")
    uploader = last.get("uploader")
    if isinstance(uploader, dict):
        if uploader.get("paused"):
            lines.append(f"    uploads     PAUSED: {uploader['paused']}")
        if uploader.get("reregistrations"):
            lines.append(f"    re-registered {uploader['reregistrations']} time(s) after a 401")
    return lines


def _cmd_status(args: argparse.Namespace, home: StationHome) -> int:
    config = _load_config(home)
    holder = lock_holder(home.lock_file)
    last = read_status(home.status_file)
    report: dict[str, Any] = {
        "version": __version__,
        "home": {
            "config_file": str(home.config_file),
            "data_dir": str(home.data_dir),
            "status_file": str(home.status_file),
        },
        "server_url": config.server.url,
        "station": {"name": config.station.name, "identifier": config.station.identifier},
        "credentials": CredentialStore(home, config.credentials.key_store).describe(),
        "running": holder is not None,
        "process": holder,
        "last_status": last,
        "last_status_age_seconds": (
            round(time.time() - home.status_file.stat().st_mtime, 1) if last else None
        ),
    }
    report["queue"] = _queue_depth(home, config)
    if args.probe:
        report["connection"] = asyncio.run(_probe(config, home))
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return EXIT_OK
    creds = report["credentials"]
    lines = [
        f"pywats-station {__version__}",
        f"  config file   {home.config_file}",
        f"  data dir      {home.data_dir}",
        f"  server        {config.server.url or '(not set; run register)'}",
        f"  station       {config.station.name} ({config.station.identifier or 'no identifier'})",
        "  registered    "
        + (f"yes (key in {creds.get('key_store')})" if creds.get("registered") else "no"),
        "  running       "
        + (
            f"yes (pid {holder.get('pid')} on {holder.get('host')}, since {holder.get('started')})"
            if holder
            else "no"
        ),
    ]
    depth = report["queue"]
    lines.append(
        "  queue         "
        + (", ".join(f"{k} {v}" for k, v in depth.items()) if depth else "none yet")
    )
    if last is not None:
        lines.append(f"  last status   written {report['last_status_age_seconds']} s ago")
        lines += _describe_last_status(last)
    else:
        lines.append("  last status   none written yet")
    if "connection" in report:
        conn = report["connection"]
        lines.append(f"  connection    {conn['state']}: {conn['reason']}")
        if conn.get("server_version"):
            lines.append(f"  server        WATS {conn['server_version']}")
    print("\n".join(lines))
    return EXIT_OK


def _cmd_run(args: argparse.Namespace, home: StationHome) -> int:
    config = _load_config(home)
    credentials = _credentials(config, home)
    lock = InstanceLock(home.lock_file)
    try:
        lock.acquire()
    except InstanceLockedError as exc:
        raise _UserError(str(exc), EXIT_LOCKED) from None

    async def service() -> dict[str, Any]:
        stop = asyncio.Event()
        with stop_on_signals(stop):
            return await run_service(
                home, config, credentials, stop, announce=lambda line: print(line, flush=True)
            )

    try:
        print(
            f"pywats-station running as {credentials.identifier} against "
            f"{credentials.server_url}; status in {home.status_file}. Stop with Ctrl-C.",
            flush=True,
        )
        final = asyncio.run(service())
    finally:
        lock.release()
    uploads = final["metrics"]["uploads"]
    print(
        f"stopped: {uploads['succeeded']} uploaded, {uploads['retried']} retried, "
        f"{uploads['failed']} dead-lettered",
        flush=True,
    )
    return EXIT_OK


def _open_queue(home: StationHome) -> Queue:
    config = _load_config(home)
    try:
        return open_queue(queue_url(home, config))
    except QueueError as exc:
        raise _UserError(f"cannot open the queue: {exc}", EXIT_FAILED) from None


def _check_report(path: Path) -> tuple[bytes, str, str]:
    """The file's bytes, format and report id; :class:`_UserError` with the problems."""
    from pywats.report import (
        ReportFormatError,
        detect_format,
        format_problems,
        parse_wsjf,
        parse_wsxf,
        validate,
    )

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _UserError(f"cannot read it: {exc.strerror or exc}", EXIT_FAILED) from None
    try:
        fmt = detect_format(data)
        report = parse_wsjf(data) if fmt == "wsjf" else parse_wsxf(data)
    except ReportFormatError as exc:
        raise _UserError(str(exc), EXIT_FAILED) from None
    problems = validate(report)
    if problems:
        raise _UserError(format_problems(problems), EXIT_FAILED)
    return data, fmt, str(report.id)


def _cmd_submit(args: argparse.Namespace, home: StationHome) -> int:
    refused = 0
    with _open_queue(home) as queue:
        total = len(args.files)
        for number, name in enumerate(args.files, 1):
            path = Path(name)
            try:
                data, fmt, report_id = _check_report(path)
            except _UserError as exc:
                refused += 1
                problems = str(exc).replace("\n", "\n    ")
                print(f"[{number}/{total}] refused {path}:\n    {problems}", file=sys.stderr)
                continue
            # The bytes are queued as they are; the report id in them is the idempotency key.
            item_id = queue.put(data, key=report_id, meta={"format": fmt, "source": str(path)})
            print(f"[{number}/{total}] queued {path} ({fmt}, report {report_id}, item {item_id})")
    if refused:
        print(f"{refused} of {total} files refused", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _item_dict(item: Item, *, payload: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "report_id": item.key,
        "state": str(item.state),
        "format": item.meta.get("format", "wsjf"),
        "source": item.meta.get("source"),
        "attempts": item.attempts,
        "last_error": item.last_error,
        "created_at": item.created_at,
        "next_attempt_at": item.next_attempt_at,
        "size": len(item.payload),
    }
    if payload:
        data["payload"] = item.payload.decode("utf-8", "replace")
    return data


def _cmd_queue(args: argparse.Namespace, home: StationHome) -> int:
    with _open_queue(home) as queue:
        if args.queue_command == "list":
            states = [args.state] if args.state else ["ready", "leased", "dead"]
            items = [item for state in states for item in queue.list(state, limit=args.limit)]
            if args.json:
                print(json.dumps([_item_dict(i) for i in items], indent=2))
                return EXIT_OK
            if not items:
                print("no items")
            for item in items:
                error = f"  {item.last_error.splitlines()[0][:80]}" if item.last_error else ""
                print(f"{item.id}  {item.state!s:6}  {item.key}  attempts={item.attempts}{error}")
            depth = queue.stats().depth
            print("depth: " + ", ".join(f"{k} {v}" for k, v in depth.items()))
            return EXIT_OK
        failed = 0
        for item_id in args.ids:
            try:
                if args.queue_command == "show":
                    item = queue.get(item_id)
                    print(json.dumps(_item_dict(item, payload=args.payload), indent=2))
                elif args.queue_command == "retry":
                    item = queue.requeue(item_id)
                    print(f"{item_id}: ready again (report {item.key})")
                else:
                    item = queue.discard(item_id)
                    print(f"{item_id}: discarded (report {item.key}, was {item.state})")
            except QueueError as exc:
                failed += 1
                print(f"pywats-station: error: {item_id}: {exc}", file=sys.stderr)
        return EXIT_FAILED if failed else EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pywats-station",
        description="Headless pyWATS station: registers with WATS and uploads test reports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help=f"station home (config, queue, archive, status); default ${HOME_ENV_VAR} "
        "or the platform's config and data directories",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (repeat for debug)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    register = commands.add_parser(
        "register",
        help="register this station with a WATS server and store its passcode encrypted",
        description=(
            "Register with a 'Register Client' token (from --token-file, "
            f"${TOKEN_ENV_VAR}, or a prompt) or with --user and a password "
            f"(${PASSWORD_ENV_VAR} or a prompt). Secrets are never taken as arguments."
        ),
    )
    register.add_argument("--url", required=True, help="the WATS server's root URL")
    register.add_argument("--token-file", metavar="FILE", help="file holding the token")
    register.add_argument("--user", help="register with this user name and a password")
    register.add_argument("--name", help="station name (default: config, else host name)")
    register.add_argument("--location", help="station location")
    register.add_argument("--purpose", help="station purpose")
    register.add_argument(
        "--identifier", help="client identifier (default: the MAC address, as WATS Client)"
    )
    register.add_argument(
        "--key-store",
        choices=("auto", "keyring", "file"),
        help="where to keep the encryption key (default: config, else auto)",
    )
    register.add_argument(
        "--insecure", action="store_true", help="do not verify TLS certificates (test servers)"
    )

    status = commands.add_parser("status", help="show the station's state and metrics")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument(
        "--probe", action="store_true", help="also ask the server now whether it answers"
    )
    commands.add_parser(
        "run",
        help="run the headless station: upload queued reports until SIGTERM or Ctrl-C",
    )

    submit = commands.add_parser(
        "submit",
        help="validate WSJF/WSXF files and queue them for upload",
        description="Each valid file is queued as it is; invalid ones are refused with the "
        "validator's messages and nothing else is affected.",
    )
    submit.add_argument("files", nargs="+", metavar="FILE")

    queue = commands.add_parser("queue", help="look at and steer the upload queue")
    queue_commands = queue.add_subparsers(dest="queue_command", metavar="ACTION")
    queue_commands.required = True
    listing = queue_commands.add_parser("list", help="items waiting, in flight, dead letters")
    listing.add_argument("--state", choices=("ready", "leased", "dead", "acked"))
    listing.add_argument("--limit", type=int, default=None)
    listing.add_argument("--json", action="store_true")
    show = queue_commands.add_parser("show", help="one item in full")
    show.add_argument("ids", nargs="+", metavar="ID")
    show.add_argument("--payload", action="store_true", help="include the report itself")
    retry = queue_commands.add_parser("retry", help="make dead letters ready again")
    retry.add_argument("ids", nargs="+", metavar="ID")
    discard = queue_commands.add_parser("discard", help="delete items (not while in flight)")
    discard.add_argument("ids", nargs="+", metavar="ID")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        home = resolve_home(args.home)
        _setup_logging(home, args.verbose)
        log.debug("pywats-station %s, home %s", __version__, home.data_dir)
        if args.command == "register":
            return _cmd_register(args, home)
        if args.command == "status":
            return _cmd_status(args, home)
        if args.command == "run":
            return _cmd_run(args, home)
        if args.command == "submit":
            return _cmd_submit(args, home)
        if args.command == "queue":
            return _cmd_queue(args, home)
        raise AssertionError(f"unhandled command {args.command!r}")  # argparse prevents it
    except _UserError as exc:
        print(f"pywats-station: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("pywats-station: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # Unexpected: full details go to the log file, one line to the user.
        log.error("unexpected error", exc_info=True, extra={"console": False})
        print(
            f"pywats-station: unexpected error: {type(exc).__name__}: {exc} "
            "(details in the log file)",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
