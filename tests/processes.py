"""pcrm as real processes, for the tests that need several at once (races, crashes,
restores): the environment, a one-shot run, a write held open, and a process whose stderr
is a terminal so that it says when it waits for the write lock."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

PYTHON = sys.executable
NOW = "2026-11-23T10:00:00Z"
WAITING = "waiting for another pcrm to finish writing"
# Not a timing assumption: how long a broken protocol may hang before the test fails.
SAFETY = 300

# A write under way, held open by a real pcrm session until the test lets it commit: it
# adds HELD contacts, says "holding", and waits for a line on stdin.
HOLDER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pcrm.cli.env import Env
    from pcrm.core.people.contacts import ContactForm, add_contact

    held = int(sys.argv[1])
    with Env().database(write=True) as db:
        for i in range(held):
            add_contact(db, datetime.now(UTC), ContactForm(name=f"Held {i}", tags=["held"]))
        print("holding", flush=True)
        sys.stdin.readline()
    print("committed", flush=True)
    """
)


def environment(db_path: Path) -> dict[str, str]:
    return {**os.environ, "PCRM_DB": str(db_path), "PCRM_NOW": NOW}


def pcrm(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "pcrm", *args],
        capture_output=True,
        text=True,
        env=environment(db_path),
        timeout=SAFETY,
    )


class OnTerminal:
    """A pcrm process whose stderr is a terminal (a pty), so that it says when it is
    waiting for the write lock, as it does for a person; the test reads what it says."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        import pty

        self.args = args
        self.master: int | None
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave
        )
        os.close(slave)
        self.said = b""

    def read(self, wait: float) -> bool:
        """Take what it said within `wait` seconds; False once it can say nothing more."""
        import select

        if self.master is None:
            return False
        if select.select([self.master], [], [], wait)[0]:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the process is gone and its terminal closed
                chunk = b""
            if not chunk:
                os.close(self.master)
                self.master = None
                return False
            self.said += chunk
        return True

    @property
    def stderr(self) -> str:
        return self.said.decode("utf-8", "replace").replace("\r\n", "\n")

    def finish(self) -> str:
        """Read its terminal until it closes (a full pty would block it); its stdout."""
        deadline = time.monotonic() + SAFETY
        while self.read(0.05):
            assert time.monotonic() < deadline, self.stderr
        out, _ = self.process.communicate(timeout=SAFETY)
        return out.decode()
