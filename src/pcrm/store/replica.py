"""An off-machine replica of the database through Litestream, with a writer lease.

Litestream itself lets any database push to any replica: a second machine pushing to the
same URL silently replaces the first one's data (measured: docs/replica.md). pcrm stops
that with two records:

- the **lease**, inside the database (table replica_writer, step m024): the host id and
  name of the machine that pushes it, and since when. It travels with the data, so a
  replica tells whoever restores it who wrote it;
- the **position** this database last pushed to each replica (its highest TXID and the
  LTX file holding it), in a small JSON file beside the database (`pcrm.db.replica.json`),
  never in the database (writing it there after a push would leave a change unpushed).

Before each push pcrm asks Litestream for the replica's position: when it is not the one
this database last pushed (or the replica holds data this database never pushed), another
writer has been there and the push is refused, naming that writer, unless take_over.
The same check works for s3:// as for file://: it only needs Litestream's listing.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pcrm.errors import DatabaseError, PcrmError
from pcrm.store import litestream
from pcrm.store.backup import BUSY_TIMEOUT_S, Restored, restore
from pcrm.store.files import NewFile, make_folder
from pcrm.store.litestream import Position, Replica

STATE_SUFFIX = ".replica.json"


@dataclass(frozen=True)
class Writer:
    host_id: str
    host_name: str
    since: str

    def describe(self, me: Writer | None = None) -> str:
        mine = me is not None and me.host_id == self.host_id
        # This machine, yet not this database's push: another file, or litestream by hand.
        return f"{self.host_name} (host id {self.host_id}{', this machine' if mine else ''})"


@dataclass(frozen=True)
class Pushed:
    replica: Replica
    position: Position
    took_over_from: Writer | None  # the writer this push replaced, with --take-over
    unchanged: bool = False  # nothing changed since this database's last push: none made


@dataclass(frozen=True)
class Pushes:
    """This database's last successful push to one replica: where it left the replica,
    and a digest of the file then (a push of an unchanged file is skipped)."""

    position: str
    content: str


@dataclass(frozen=True)
class Pulled:
    restored: Restored
    replica: Replica
    position: Position
    writer: Writer | None  # the lease the replica carries
    is_writer: bool  # whether this database may push to the replica without --take-over
    pushed: Pushed | None = None  # with take_over: the push that made this machine the writer


def this_host(now: datetime) -> Writer:
    """This machine: a random id kept in the user's state folder, and its host name.

    The state folder (~/.local/state/pcrm on Linux), not the data folder: a data folder
    copied to a new laptop must not bring the old laptop's id along."""
    from platformdirs import user_state_path

    path = user_state_path("pcrm", appauthor=False) / "host-id"
    try:
        host_id = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        host_id = ""
    if not host_id:
        host_id = secrets.token_hex(4)
        try:
            if not path.parent.exists():
                make_folder(path.parent)
            with NewFile(path, force=True) as temporary:
                temporary.write_text(host_id + "\n", encoding="utf-8")
        except OSError as exc:
            raise DatabaseError(f"cannot write {path}: {exc.strerror}") from exc
    return Writer(host_id, socket.gethostname() or "unknown host", now.isoformat())


# --- the position this database last pushed, beside it -------------------------------------


def state_path(database: Path) -> Path:
    return database.with_name(database.name + STATE_SUFFIX)


def last_pushes(database: Path) -> dict[str, Pushes]:
    """{replica URL: last push} of this database."""
    path = state_path(database)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        replicas = data["replicas"]
        return {
            str(url): Pushes(str(entry["position"]), str(entry.get("content", "")))
            for url, entry in replicas.items()
        }
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DatabaseError(
            f"cannot read {path} ({exc})",
            hint="remove it; the next push then needs --take-over",
        ) from exc


def record_position(
    database: Path, replica: Replica, at: Position, now: datetime, *, content: str | None = None
) -> None:
    """Remember (atomically, mode 0600) that this database stands at `at` in the replica,
    as the file is now (or `content`: "" makes the next push happen even if unchanged)."""
    path = state_path(database)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data.get("replicas"), dict):
            data = {}
    except (OSError, ValueError, AttributeError):
        data = {}
    data.setdefault("replicas", {})[replica.url] = {
        "position": at.key,
        "content": content_digest(database) if content is None else content,
        "recorded_at": now.isoformat(),
    }
    try:
        with NewFile(path, force=True) as temporary:
            temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise DatabaseError(
            f"pushed to {replica.url}, but cannot write {path}: {exc.strerror}",
            hint="the next push will need --take-over",
        ) from exc


def content_digest(database: Path) -> str:
    """sha256 of the database file and its -wal: unchanged bytes, nothing to push."""
    digest = hashlib.sha256()
    for path in (database, database.with_name(database.name + "-wal")):
        try:
            with path.open("rb") as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
        except FileNotFoundError:
            pass
        digest.update(b"\0")
    return digest.hexdigest()


# --- the lease inside the database ----------------------------------------------------------


def read_writer(conn: sqlite3.Connection) -> Writer | None:
    try:
        row = conn.execute(
            "SELECT host_id, host_name, since FROM replica_writer WHERE id = 1"
        ).fetchone()
    except sqlite3.OperationalError:  # a file from before step m024
        return None
    return Writer(*row) if row else None


def _set_writer(conn: sqlite3.Connection, writer: Writer | None) -> None:
    conn.execute("DELETE FROM replica_writer")
    if writer is not None:
        conn.execute(
            "INSERT INTO replica_writer (id, host_id, host_name, since) VALUES (1, ?, ?, ?)",
            [writer.host_id, writer.host_name, writer.since],
        )


def _file_writer(path: Path) -> Writer | None:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return read_writer(conn)
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


# --- push and pull --------------------------------------------------------------------------


def _check_folder(replica: Replica, *, restoring: bool) -> None:
    """A file:// replica's folder must exist to restore, and its parent to push: a NAS that
    is not mounted must not turn into a replica on the laptop's own disk."""
    if replica.folder is None:
        return
    needed = replica.folder if restoring else replica.folder.parent
    if not needed.is_dir():
        what = "no replica at" if restoring else "cannot push to"
        problem = "is not a folder" if needed.exists() else "does not exist"
        raise DatabaseError(
            f"{what} {replica.url}: {needed} {problem}",
            hint="check the URL; is the disk mounted?",
        )


@dataclass
class _Claim:
    """What a push (once, or following) found before it starts, under the lease rules."""

    replica: Replica
    program: str
    current: Position | None  # where the replica stands now; None: empty
    replaced: Writer | None  # the other writer, when there was one
    held: Writer | None = None  # the lease as it was in the file
    changed: bool = False  # the lease was written (this machine took it)
    unchanged: Pushed | None = None  # nothing to push: the file is as last pushed


def _claim(
    database: Path,
    url: str,
    now: datetime,
    *,
    take_over: bool,
    on_wait: Callable[[], None] | None,
    skip_unchanged: bool,
) -> _Claim:
    """Check that this database may write the replica (refused, naming the other writer,
    unless take_over) and take the lease in the file when it is not this machine's.

    The lease is read (and written when it changes) under the write lock, as every pcrm
    write: a push waits for an import under way to commit (on_wait: told once)."""
    from pcrm.store.db import session

    replica = litestream.parse_url(url)
    program = litestream.executable()
    if not database.exists():
        raise DatabaseError(f"no database at {database}", hint="point --db / $PCRM_DB at your file")
    _check_folder(replica, restoring=False)
    current = litestream.position(program, replica)
    pushes = last_pushes(database).get(replica.url)
    last = pushes.position if pushes else None
    me = this_host(now)
    claim = _Claim(replica, program, current, None)
    if current is not None and current.key != last:
        claim.replaced = _replica_writer(program, replica, current)
        if not take_over:
            _refuse(replica, current, claim.replaced, me, never=last is None)
    elif current is None and last is not None and not take_over:
        raise DatabaseError(
            f"{replica.url} is empty, but this database pushed to it before",
            hint="if it was moved or deleted on purpose, start it again with --take-over",
        )
    # Under the write lock, as every pcrm write: a write under way is waited for, and
    # counted in the file's digest (an unchanged file is not pushed again). The lease
    # changes only when another machine (or none) held it: an ordinary push leaves the
    # database as it was.
    with session(database, write=True, create=False, on_wait=on_wait) as db:
        if (
            skip_unchanged
            and current is not None
            and pushes is not None
            and current.key == pushes.position
            and not take_over
            and pushes.content == content_digest(database)
        ):
            claim.unchanged = Pushed(replica, current, None, unchanged=True)
            return claim
        claim.held = read_writer(db.conn)
        claim.changed = claim.held is None or claim.held.host_id != me.host_id or take_over
        if claim.changed:
            _set_writer(db.conn, me)
    if current is None:
        # A new or emptied replica: Litestream starts it from the whole file, never from
        # local files left by an earlier push that failed half-way.
        _reset(program, database, replica, pushed=False)
    return claim


def _give_back(database: Path, claim: _Claim) -> None:
    """The lease as it was, after a push that did not happen."""
    from pcrm.store.db import session

    if claim.changed:
        with session(database, write=True, create=False) as db:
            _set_writer(db.conn, claim.held)


def _pushed(database: Path, claim: _Claim, now: datetime, take_over: bool) -> Pushed:
    """Record where the push left the replica, and clear Litestream's local copy."""
    _settle(database)
    after = litestream.position(claim.program, claim.replica)
    if after is None:
        raise DatabaseError(
            f"litestream pushed nothing to {claim.replica.url}; the replica is empty"
        )
    record_position(database, claim.replica, after, now)
    _reset(claim.program, database, claim.replica, pushed=True)
    return Pushed(claim.replica, after, claim.replaced if take_over else None)


def push(
    database: Path,
    url: str,
    now: datetime,
    *,
    take_over: bool = False,
    on_wait: Callable[[], None] | None = None,
) -> Pushed:
    """Push the database to the replica at `url`, if this database is its writer."""
    from pcrm.store.db import WRITE_WAIT_MS

    claim = _claim(database, url, now, take_over=take_over, on_wait=on_wait, skip_unchanged=True)
    if claim.unchanged is not None:
        return claim.unchanged
    try:
        litestream.replicate_once(
            claim.program, database, claim.replica, wait_s=WRITE_WAIT_MS / 1000, on_wait=on_wait
        )
    except PcrmError:
        _give_back(database, claim)
        raise
    return _pushed(database, claim, now, take_over)


def follow(
    database: Path,
    url: str,
    now: datetime,
    *,
    take_over: bool = False,
    on_wait: Callable[[], None] | None = None,
    on_started: Callable[[], None] | None = None,
) -> Pushed:
    """Push every change as it is made, until stopped (Ctrl-C, SIGTERM): Litestream's own
    daemon, which keeps the WAL open, so each push carries only the pages a command
    changed, and compacts what it pushed (docs/replica.md: a push once is a whole copy).
    The lease rules are those of push(); where the replica was left is recorded when it
    stops, so `pcrm backup --replica` goes on from there."""
    claim = _claim(database, url, now, take_over=take_over, on_wait=on_wait, skip_unchanged=False)
    try:
        litestream.replicate_until_stopped(
            claim.program, database, claim.replica, on_started=on_started
        )
    except PcrmError:
        if litestream.position(claim.program, claim.replica) == claim.current:
            _give_back(database, claim)  # nothing went out
        raise
    return _pushed(database, claim, now, take_over)


def _settle(database: Path) -> None:
    """Copy into the file the WAL that Litestream leaves behind (its own bookkeeping
    writes), as the next pcrm command would on closing: the digest recorded now is then
    still the file's after any number of reads, and an unchanged file is not pushed again."""
    conn = sqlite3.connect(database, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError:
        pass  # another process is busy with the file: at worst one push too many
    finally:
        conn.close()


def _reset(program: str, database: Path, replica: Replica, *, pushed: bool) -> None:
    """Clear Litestream's local copy of what it pushed (litestream.reset)."""
    try:
        litestream.reset(program, database)
    except PcrmError as exc:
        done = f"pushed to {replica.url}, but " if pushed else ""
        raise DatabaseError(
            f"{done}{exc.message}",
            hint=f"remove the folder .{database.name}-litestream beside the database",
        ) from exc


def _refuse(
    replica: Replica, current: Position, writer: Writer | None, me: Writer, *, never: bool
) -> None:
    who = writer.describe(me) if writer else "a writer pcrm cannot name (no pcrm lease in it)"
    why = "this database never pushed to it" if never else "not by this database"
    raise DatabaseError(
        f"{replica.url} was last written at {current.written_at} by {who}; {why}",
        hint=f"to get its data: pcrm restore --replica {replica.url}; to replace it with"
        " this database: add --take-over",
    )


def _replica_writer(program: str, replica: Replica, at: Position) -> Writer | None:
    """The lease the replica carries (restored into a private temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="pcrm-replica-") as folder:
        copy = Path(folder) / "replica.db"
        try:
            litestream.restore_into(program, replica, at, copy)
        except PcrmError:
            return None  # refused all the same, without a name
        return _file_writer(copy)


def pull(
    database: Path,
    url: str,
    now: datetime,
    *,
    take_over: bool = False,
    on_wait: Callable[[], None] | None = None,
) -> Pulled:
    """Replace the database with the replica at `url`, as `pcrm restore FILE` does (checked
    first, the current file kept aside); with take_over this database becomes its writer."""
    replica = litestream.parse_url(url)
    program = litestream.executable()
    _check_folder(replica, restoring=True)
    current = litestream.position(program, replica)
    if current is None:
        raise DatabaseError(
            f"no replica at {replica.url} (it holds nothing to restore)",
            hint="check the URL; pcrm backup --replica URL makes one",
        )
    with tempfile.TemporaryDirectory(prefix="pcrm-replica-") as folder:
        copy = Path(folder) / "replica.db"
        litestream.restore_into(program, replica, current, copy)
        writer = _file_writer(copy)
        done = restore(copy, database, now, on_wait)
    # What Litestream kept of this file's earlier pushes describes the file before the
    # restore: the next push starts from the replica instead.
    _reset(program, database, replica, pushed=False)
    pushes = last_pushes(database).get(replica.url)
    taken: Pushed | None = None
    if take_over:
        # This database now stands where the replica does; pushing it at once puts this
        # machine's lease in the replica, so the old writer's next push is refused (and one
        # it made meanwhile refuses this push: nothing is overwritten unseen).
        record_position(database, replica, current, now, content="")
        try:
            taken = push(database, url, now, on_wait=on_wait)
        except PcrmError as exc:
            kept = f", the file it replaced kept as {done.previous}" if done.previous else ""
            raise DatabaseError(
                f"restored {database} from {replica.url}{kept}; but taking the replica over"
                f" failed: {exc.message}",
                hint=exc.hint,
            ) from exc
    is_writer = pushes is not None and pushes.position == current.key
    return Pulled(done, replica, current, writer, taken is not None or is_writer, taken)
