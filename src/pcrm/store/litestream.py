"""Running Litestream (0.5), the engine behind `pcrm backup|restore --replica URL`.

pcrm opens no network connection of its own: everything that reaches a replica (a folder,
an S3 bucket) goes through the `litestream` executable, run as a subprocess with the
user's environment (so S3 credentials stay in AWS_ACCESS_KEY_ID & co., never in pcrm).
The commands used, all one-shot and without a config file (a URL on the command line
makes Litestream ignore /etc/litestream.yml):

- `litestream replicate -once -force-snapshot -enforce-retention DB URL`: one sync of the
  database's WAL into the replica, as an LTX file under URL/ltx/0/ (a full compressed
  copy when the WAL was reset since the last sync, as it is after every pcrm command),
  plus a snapshot under URL/ltx/9/;
- `litestream ltx -level all -json URL`: the replica's LTX files, whose highest TXID and
  the file holding it are the replica's position;
- `litestream restore -txid TXID -o FILE URL`: the database as of that position.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pcrm.errors import DatabaseError, InvalidInput, PcrmError

SCHEMES = ("file", "s3")
URL_HINT = "use file:///absolute/folder or s3://bucket/path"


@dataclass(frozen=True)
class Replica:
    url: str  # as Litestream is given it
    scheme: str
    folder: Path | None  # file:// only: the replica's folder


@dataclass(frozen=True)
class Position:
    """Where a replica stands: its highest TXID, and the file that holds it (level, size,
    time), so that another writer's sync to the same TXID is still told apart."""

    txid: str
    level: int
    size: int
    written_at: str  # the LTX file's time, as Litestream lists it (UTC, RFC 3339)

    @property
    def key(self) -> str:
        return f"{self.txid}/{self.level}/{self.size}/{self.written_at}"


def parse_url(url: str) -> Replica:
    """A replica URL Litestream can use, or one line saying what to give instead."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme:
        raise InvalidInput(f"{url!r} is not a replica URL", hint=f"for a folder, {_as_file(url)}")
    if scheme not in SCHEMES:
        raise InvalidInput(f"unsupported replica URL scheme {scheme}:// in {url!r}", hint=URL_HINT)
    if parts.username is not None or parts.password is not None:
        # pcrm prints the URL and keeps it beside the database: no secrets in it.
        raise InvalidInput(
            "a replica URL must not carry credentials",
            hint="give them to litestream in its environment: AWS_ACCESS_KEY_ID and"
            " AWS_SECRET_ACCESS_KEY",
        )
    if scheme == "s3":
        if not parts.netloc:
            raise InvalidInput(f"{url!r} names no bucket", hint=URL_HINT)
        return Replica(url, scheme, None)
    path = unquote(parts.path)
    if parts.netloc not in ("", "localhost") or not path.startswith("/"):
        raise InvalidInput(
            f"{url!r} is not a file:// URL of an absolute folder",
            hint="write file:///home/you/folder (three slashes)",
        )
    return Replica(url, scheme, Path(path))


def _as_file(url: str) -> str:
    try:
        return f"write {Path(url).expanduser().absolute().as_uri()}"
    except ValueError:
        return URL_HINT


def executable() -> str:
    """The `litestream` installed with pcrm (beside this Python), else the one on PATH."""
    name = "litestream.exe" if os.name == "nt" else "litestream"
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("litestream")
    if found is None:
        raise PcrmError("litestream is not installed: pip install 'pcrm[replica]'")
    return found


def run(program: str, *args: str) -> str:
    """Run `litestream ARGS`; its stdout, or its key error line as a PcrmError."""
    try:
        done = subprocess.run(
            [program, *args], capture_output=True, text=True, errors="replace", check=False
        )
    except OSError as exc:
        raise PcrmError(f"cannot run {program}: {exc.strerror}") from exc
    if done.returncode != 0:
        raise PcrmError(f"litestream failed: {key_line(done.stderr, done.stdout)}")
    return done.stdout


def key_line(stderr: str, stdout: str = "") -> str:
    """The line of Litestream's output that says what went wrong: its `Error: ...` line
    (the last one), else the last line of stderr, else its last ERROR log line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line.removeprefix("Error: ") for line in lines if line.startswith("Error: ")]
    if errors:
        return errors[-1]
    if lines:
        return lines[-1]
    logged = [line for line in stdout.splitlines() if "level=ERROR" in line]
    return logged[-1].strip() if logged else "no message (exit status not 0)"


def position(program: str, replica: Replica) -> Position | None:
    """The replica's position; None when it holds nothing (or does not exist)."""
    out = run(program, "ltx", "-level", "all", "-json", replica.url)
    try:
        files = json.loads(out or "[]")
        latest = max(files, key=lambda f: (str(f["max_txid"]), int(f["level"])), default=None)
        if latest is None:
            return None
        return Position(
            str(latest["max_txid"]),
            int(latest["level"]),
            int(latest["size"]),
            str(latest["timestamp"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise PcrmError(
            f"litestream listed {replica.url} in a form pcrm does not know ({exc})",
            hint="pip install 'pcrm[replica]' for the litestream pcrm is tested with",
        ) from exc


def replicate_once(
    program: str,
    database: Path,
    replica: Replica,
    *,
    wait_s: float = 60.0,
    on_wait: Callable[[], None] | None = None,
) -> None:
    """One sync into the replica, then a snapshot (level 9), and snapshots older than
    Litestream's retention (24 h) removed. Without the snapshot a restore would fetch every
    level-0 file ever pushed (with -once Litestream never compacts them); with it, a
    restore fetches one file. See docs/replica.md for the sizes measured.

    Litestream gives up after 1 s when another process holds the write lock (an import
    under way): it is run again, every second, for up to `wait_s`, as a pcrm write waits;
    on_wait is called once when it first has to."""
    args = ("replicate", "-once", "-force-snapshot", "-enforce-retention")
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        try:
            run(program, *args, str(database.absolute()), replica.url)
            return
        except PcrmError as exc:
            if "database is locked" not in exc.message or time.monotonic() > deadline:
                raise
        if not told and on_wait is not None:
            on_wait()
        told = True
        time.sleep(1.0)


def replicate_until_stopped(
    program: str,
    database: Path,
    replica: Replica,
    *,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Run Litestream's daemon on the one database and replica until this process is
    stopped (Ctrl-C or SIGTERM, passed on to Litestream, which pushes what it has and
    exits) or Litestream exits by itself: that is a failure, with its key error line."""
    import signal
    import tempfile

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    with tempfile.TemporaryFile("w+", errors="replace") as errors:
        try:
            process = subprocess.Popen(
                [program, "replicate", str(database.absolute()), replica.url],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                text=True,
            )
        except OSError as exc:
            signal.signal(signal.SIGTERM, previous)
            raise PcrmError(f"cannot run {program}: {exc.strerror}") from exc
        try:
            if on_started is not None:
                on_started()
            status = process.wait()
        except KeyboardInterrupt:
            process.send_signal(signal.SIGTERM)
            process.wait()
            return
        finally:
            signal.signal(signal.SIGTERM, previous)
        errors.seek(0)
        said = errors.read()
    raise PcrmError(f"litestream stopped (exit status {status}): {key_line(said)}")


def reset(program: str, database: Path) -> None:
    """Remove Litestream's local copy of what it pushed (`.pcrm.db-litestream/`). With -once
    every push is a full compressed copy of the file, and Litestream never removes them
    locally in that mode: the folder would grow by one copy per push. After a reset the
    next push reads the replica's latest LTX file to know where it stands."""
    run(program, "reset", str(database.absolute()))


def restore_into(program: str, replica: Replica, at: Position, target: Path) -> None:
    """Write the replica as of `at` into the new file `target`."""
    try:
        run(program, "restore", "-txid", at.txid, "-o", str(target.absolute()), replica.url)
    except PcrmError as exc:
        raise DatabaseError(f"cannot restore {replica.url}: {exc.message}") from exc
