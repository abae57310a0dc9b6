"""Backfill of a maildir with `pcrm capture mail --maildir`, then the same run again.

    python bench/capture_mail.py [MESSAGES]      (default 10000)

Writes, in a temporary folder, a database of 2,000 contacts and a maildir of MESSAGES
synthetic messages (plain text with a quoted reply and a signature, one in five HTML,
one in ten from a mailing list, threads of up to five messages, a quarter to or from
people not in pcrm), then times `pcrm capture mail --maildir` as a subprocess (wall and
CPU seconds) twice: the backfill, and the re-run that must capture nothing.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

CONTACTS = 2000


def _people(db: Path) -> None:
    import csv

    rows = [
        {"Name": f"Person {n}", "E-mail 1 - Value": f"person{n}@customer{n % 97}.example"}
        for n in range(CONTACTS)
    ]
    path = db.parent / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    _pcrm(db, "import", "contacts", str(path))
    _pcrm(db, "config", "set", "me.emails", "me@example.org")


def _message(rng: random.Random, n: int, at: datetime, parent: EmailMessage | None) -> EmailMessage:
    message = EmailMessage()
    person = rng.randrange(CONTACTS * 4 // 3)  # a quarter are not in pcrm
    them = f"Person {person} <person{person}@customer{person % 97}.example>"
    outgoing = rng.random() < 0.4
    message["From"] = "Me <me@example.org>" if outgoing else them
    message["To"] = them if outgoing else "Me <me@example.org>"
    if rng.random() < 0.2:
        other = rng.randrange(CONTACTS)
        message["Cc"] = f"person{other}@customer{other % 97}.example"
    message["Subject"] = (
        "Re: " if parent else ""
    ) + f"Order {n // 5} for {rng.randrange(99)} seats"
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(str(n), "bench.example")
    if parent is not None:
        message["In-Reply-To"] = parent["Message-ID"]
        message["References"] = " ".join(
            filter(None, [parent.get("References"), parent["Message-ID"]])
        )
    if rng.random() < 0.1:
        message["List-Id"] = "<engines.lists.example>"
    body = (
        f"Hello,\n\nThanks for the call about order {n}. We would like {rng.randrange(99)}"
        " seats.\nCould you send the quote by Friday?\n\nBest,\n-- \nSomeone\n+44 20 0000\n\n"
        f"On Mon, 2 Nov 2026 at 09:15, {them} wrote:\n> Earlier text\n> more of it\n"
    )
    if rng.random() < 0.2:
        message.set_content(
            f"<html><body><p>{body.split(chr(10) * 2)[1]}</p><blockquote>old</blockquote>"
            "</body></html>",
            subtype="html",
        )
    else:
        message.set_content(body)
    return message


def _maildir(folder: Path, count: int) -> None:
    rng = random.Random(20)
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    parent: EmailMessage | None = None
    for n in range(count):
        at = start + timedelta(minutes=45 * n)
        parent = _message(rng, n, at, parent if n % 5 else None)
        (folder / "cur" / f"{int(at.timestamp())}.{n}.bench:2,S").write_bytes(parent.as_bytes())


def _pcrm(db: Path, *args: str) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pcrm", "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TZ": "UTC"},
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout.strip()


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 10_000
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        _people(db)
        maildir = Path(folder) / "Mail"
        _maildir(maildir, count)
        for label in ("backfill", "re-run"):
            wall, cpu, said = _pcrm(db, "capture", "mail", "--maildir", str(maildir))
            print(f"{label}: {count} messages in {wall:.2f} s wall, {cpu:.2f} s CPU")
            print(f"  {said[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
