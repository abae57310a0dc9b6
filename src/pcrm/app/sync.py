"""`pcrm sync`: export to the vdir, vdirsyncer between the vdir and the server, import.

pcrm opens no network connection: vdirsyncer (an optional extra) does, as a subprocess
with no stdin, so it can never prompt (cron-safe). Its log on stderr is read for what
moved each way and for what went wrong. Order and safety (docs/sync.md):

1. `pcrm vdir export` into <db>.sync/vdir (one transaction, committed: what vdir_items
   remembers is what the files hold when vdirsyncer reads them);
2. `vdirsyncer discover` when it has not run for this config (first run, or a changed
   config), then `vdirsyncer sync`;
3. `pcrm vdir import` (a second transaction), only when vdirsyncer succeeded or failed on
   conflicts alone: those items were left untouched on both sides. After any other failure
   the import does not run and the database keeps what the export left; the files
   vdirsyncer did download stay in the vdir and the next successful run imports them.

A lock file in the sync folder keeps two runs (cron and a person) from overlapping.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pcrm.app.sync_config import (
    COLLECTIONS,
    Policy,
    SyncPaths,
    config_with,
    configured,
    configured_policy,
)
from pcrm.app.sync_conflict import first_value, item_uid
from pcrm.core.vdir import VdirResult
from pcrm.errors import InvalidInput, PcrmError

if TYPE_CHECKING:
    from pcrm.store.db import Database

OpenDb = Callable[[], AbstractContextManager["Database"]]

NOT_INSTALLED = "vdirsyncer is not installed: pip install 'pcrm[sync]' (or put vdirsyncer on PATH)"
# A server that never answers must not hold cron's run (and the lock) for ever.
TIMEOUT_SECONDS = 3600


class SyncFailed(PcrmError):
    """vdirsyncer failed: the server, the network or the config."""


@dataclass
class Moved:
    new: int = 0
    changed: int = 0
    deleted: int = 0

    def total(self) -> int:
        return self.new + self.changed + self.deleted


@dataclass
class ServerConflict:
    """An item changed in pcrm and on the server since the last sync: both versions, saved
    in the conflicts folder; neither side was changed."""

    collection: str  # contacts | tasks
    uid: str
    name: str
    pcrm_file: str
    server_file: str
    pcrm: str
    server: str


@dataclass
class SyncResult:
    dry_run: bool
    prefer: Policy | None
    export: VdirResult
    imported: VdirResult | None = None
    sent: dict[str, Moved] = field(default_factory=dict)  # to the server, by collection
    received: dict[str, Moved] = field(default_factory=dict)  # into pcrm's vdir
    conflicts: list[ServerConflict] = field(default_factory=list)
    settled: int = 0  # conflicts vdirsyncer settled by the policy (prefer: who won)
    discovered: bool = False
    conflicts_folder: str = ""


def find_vdirsyncer() -> str:
    """The vdirsyncer of pcrm's own environment first, then the one on PATH."""
    beside = Path(sys.executable).parent / "vdirsyncer"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("vdirsyncer")
    if found is None:
        raise InvalidInput(NOT_INSTALLED)
    return found


def check_setup(paths: SyncPaths) -> None:
    if not paths.config.is_file():
        raise InvalidInput(
            "pcrm sync is not set up for this database",
            hint="run pcrm sync setup --carddav URL --caldav URL --user NAME"
            " --password-command CMD",
        )


@contextlib.contextmanager
def sync_lock(paths: SyncPaths) -> Iterator[None]:
    """Hold <sync>/lock for the run; a second run is refused, not queued."""
    import fcntl

    fd = os.open(paths.lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InvalidInput(
                "another pcrm sync is running for this database",
                hint="let it finish; cron can simply try again at its next run",
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock


class _Rollback(Exception):
    def __init__(self, result: VdirResult) -> None:
        self.result = result


def run_sync(
    open_db: OpenDb, now: datetime, paths: SyncPaths, *, prefer: Policy | None, dry_run: bool
) -> SyncResult:
    from pcrm.app.vdir import export_vdir, import_vdir

    check_setup(paths)
    program = None if dry_run else find_vdirsyncer()
    synced = configured(paths)  # contacts alone: no follow-up files nobody syncs
    with sync_lock(paths):
        with open_db() as db:
            exported = export_vdir(db, now, paths.vdir, dry_run=dry_run, collections=synced)
        policy = prefer or configured_policy(paths)
        result = SyncResult(dry_run, policy, exported, conflicts_folder=str(paths.conflicts))
        if program is not None:
            _vdirsyncer(program, paths, prefer, result)
        if not paths.vdir.is_dir():  # a dry run before the first sync
            return result
        side: Literal["pcrm", "file"] | None = {"pcrm": "pcrm", "server": "file", None: None}[
            policy
        ]
        try:
            with open_db() as db:
                result.imported = import_vdir(db, now, paths.vdir, side, synced)
                if dry_run:
                    result.imported.dry_run = True
                    raise _Rollback(result.imported)
        except _Rollback as stop:
            result.imported = stop.result
    return result


def _vdirsyncer(program: str, paths: SyncPaths, prefer: Policy | None, result: SyncResult) -> None:
    config = paths.config
    override: Path | None = None
    if prefer is not None:  # this run only: the config's policy replaced by --prefer's
        override = paths.root / f".config-prefer-{prefer}"
        fd = os.open(override, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(config_with(paths, prefer))
        config = override
    try:
        pairs = [COLLECTIONS[kind][0] for kind in configured(paths)]
        if any(not (paths.status / f"{pair}.collections").exists() for pair in pairs):
            _discover(program, config, result)
        before = _snapshot(paths.conflicts)
        done = _run(program, config, "sync")
        if "vdirsyncer discover" in done.stderr:  # the config changed since the last discover
            _discover(program, config, result)
            done = _run(program, config, "sync")
        _moves(done.stderr, result)
        result.conflicts = _saved_conflicts(paths, before)
        problem = _failure(done)
        if problem is not None:
            raise SyncFailed(
                f"vdirsyncer sync failed: {problem}",
                hint="nothing was imported; pcrm's database has only the export's changes;"
                f" vdirsyncer -c {paths.config} sync shows the details",
            )
    finally:
        if override is not None:
            override.unlink(missing_ok=True)


def _discover(program: str, config: Path, result: SyncResult) -> None:
    done = _run(program, config, "discover")
    problem = _failure(done)
    if problem is not None:
        raise SyncFailed(
            f"vdirsyncer discover failed: {problem}",
            hint="check the URLs, the user and the password command; pcrm sync setup --force"
            " writes them again",
        )
    result.discovered = True


def _run(program: str, config: Path, command: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [program, "-c", str(config), command],
            stdin=subprocess.DEVNULL,  # never a prompt: cron has nobody to answer it
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SyncFailed(
            f"vdirsyncer {command} did not finish in {TIMEOUT_SECONDS // 60} minutes",
            hint="check the server; nothing was imported",
        ) from None
    except OSError as exc:
        raise SyncFailed(f"cannot run {program}: {exc.strerror}", hint=NOT_INSTALLED) from None


MOVE = re.compile(
    r"^(?:Copying \((?P<how>uploading|updating)\) item .+ to|Deleting item .+ from)"
    r" pcrm_(?P<kind>contacts|tasks)_(?P<side>local|server)\b"
)
CONFLICT_LINES = ("The two files are not completely equal", "One item changed on both sides")


def _moves(log: str, result: SyncResult) -> None:
    for kind in COLLECTIONS:
        result.sent.setdefault(kind, Moved())
        result.received.setdefault(kind, Moved())
    resolving = 0  # vdirsyncer's "Doing conflict resolution", less "same content on both"
    for line in log.splitlines():
        if line.startswith("Doing conflict resolution for item"):
            resolving += 1
        elif line.startswith("...same content on both sides"):
            resolving -= 1
        match = MOVE.match(line.strip())
        if match is None:
            continue
        moved = (result.sent if match["side"] == "server" else result.received)[match["kind"]]
        if match["how"] == "uploading":
            moved.new += 1
        elif match["how"] == "updating":
            moved.changed += 1
        else:
            moved.deleted += 1
    if result.prefer is not None:
        result.settled = max(resolving, 0)


def _failure(done: subprocess.CompletedProcess[str]) -> str | None:
    """What went wrong, in one line; None when vdirsyncer succeeded or failed on conflicts
    alone (those items were left as they were on both sides)."""
    if done.returncode == 0:
        return None
    errors = []
    for line in done.stderr.splitlines():
        level, _, message = line.partition(": ")
        if level not in ("error", "critical") or "-vdebug" in message:
            continue
        if any(marker in message for marker in CONFLICT_LINES):
            continue
        errors.append(message.strip())
    if not errors:
        conflicts = any(marker in done.stderr for marker in CONFLICT_LINES)
        if conflicts:
            return None
        last = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        return last[0]
    return _plain(errors[0])


def _plain(message: str) -> str:
    message = message.removeprefix("Unknown error occurred: ")
    if "401" in message and "Unauthorized" in message:
        return "the server refused the user name or password (401 Unauthorized)"
    return message


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Each saved file's identity (inode, mtime): the hook replaces a file it saves again."""
    if not folder.is_dir():
        return {}
    return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in folder.iterdir()}


def _saved_conflicts(paths: SyncPaths, before: dict[str, tuple[int, int]]) -> list[ServerConflict]:
    """The conflicts the hook saved during this run (both versions of each)."""
    folder = paths.conflicts
    now = _snapshot(folder)
    found: list[ServerConflict] = []
    for name in sorted(now):
        if not name.count(".pcrm.") or before.get(name) == now[name]:
            continue
        pcrm_file = folder / name
        uid, _, suffix = pcrm_file.name.rpartition(".pcrm")
        server_file = folder / f"{uid}.server{suffix}"
        if not server_file.exists():
            continue
        pcrm_text = _read(pcrm_file)
        collection = "contacts" if suffix == ".vcf" else "tasks"
        found.append(
            ServerConflict(
                collection,
                uid,
                _name(pcrm_text, "FN" if collection == "contacts" else "SUMMARY"),
                str(pcrm_file),
                str(server_file),
                pcrm_text,
                _read(server_file),
            )
        )
    return found


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as source:
        return source.read()


def _name(text: str, prop: str) -> str:
    return first_value(text, prop) or item_uid(text)
