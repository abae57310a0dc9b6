"""`pcrm backup --replica URL --follow`: Litestream's daemon, run until stopped. Each change
goes out as it is made, as a small file (a push once is a whole compressed copy); where it
left the replica is recorded when it stops, so a later push goes on from there; the lease
rules are a push's. The real litestream with a file:// replica; pcrm --follow runs as a
process of its own, stopped with SIGTERM as a service manager stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pcrm.store.litestream import executable, parse_url, position
from test_replica import _CANNOT, Machine, desktop, dump, laptop, url

__all__ = ["desktop", "laptop", "url"]  # the fixtures
pytestmark = pytest.mark.skipif(_CANNOT is not None, reason=_CANNOT or "")


def follow(machine: Machine, url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "XDG_STATE_HOME": str(machine.state), "PCRM_DEBUG": ""}
    return subprocess.Popen(
        [sys.executable, "-m", "pcrm", "--db", str(machine.db), "backup", "--replica", url,
         "--follow"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env,
    )  # fmt: skip


def until(check: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def level0(tmp_path: Path) -> list[int]:
    return sorted(p.stat().st_size for p in (tmp_path / "nas" / "pcrm" / "ltx" / "0").glob("*"))


def test_follow_pushes_each_change_small_and_a_later_push_goes_on_from_there(
    laptop: Machine, desktop: Machine, url: str, tmp_path: Path
) -> None:
    laptop.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.org")
    for n in range(300):  # a file of some size, so a whole copy stands out
        laptop.ok("log", "ada", f"Call {n}: " + "notes " * 40, "--kind", "call")
    replica = parse_url(url)
    process = follow(laptop, url)
    try:
        until(lambda: position(executable(), replica) is not None, "the first push")
        first = position(executable(), replica)
        laptop.ok("log", "ada", "Wants a quote", "--kind", "call")
        until(lambda: position(executable(), replica) != first, "the change to go out")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "pushing each change to" in err and "stop with Ctrl-C" in err
    assert out.startswith(f"pushed {laptop.db} to {url} (TXID ")
    whole, *changes = sorted(level0(tmp_path), reverse=True)
    assert changes and all(size * 5 < whole for size in changes), level0(tmp_path)

    # The next push (once) is this database's own: not refused, nothing to push.
    again = laptop.ok("backup", "--replica", url).stdout
    assert "has not changed since its last push" in again
    # What went out is the database as it is.
    desktop.ok("restore", "--replica", url)
    assert dump(desktop.db) == dump(laptop.db)


def test_follow_obeys_the_lease(laptop: Machine, desktop: Machine, url: str) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    laptop.ok("backup", "--replica", url)
    desktop.ok("contact", "add", "Grace Hopper")
    process = follow(desktop, url)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1 and out == ""
    assert err.startswith(f"pcrm: error: {url} was last written at ") and "--take-over" in err
    assert err.count("\n") == 1


def test_follow_only_with_replica(laptop: Machine) -> None:
    laptop.ok("contact", "add", "Ada Lovelace")
    result = laptop.run("backup", "--follow")  # a usage error, as --take-over alone
    assert result.exit_code == 2
    assert "Invalid value for --follow: only with --replica" in result.stderr
