"""vdirsyncer's conflict hook for `pcrm sync` without a preference (stop and report).

vdirsyncer (`conflict_resolution = ["command", python, "-m", "pcrm.app.sync_conflict",
CONFLICTS]`) runs `... CONFLICTS A B` with the two versions of an item changed on both
sides in two temporary files named after their storages (`pcrm_contacts_local`: pcrm's
vdir, `pcrm_contacts_server`: the server). This saves both into CONFLICTS as
`<uid>.pcrm.vcf` and `<uid>.server.vcf` (`.ics` for to-dos) and leaves the two files as
they were: unequal, so vdirsyncer changes neither side and reports the item ("The two
files are not completely equal"), and `pcrm sync` reports it with both versions.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

SAFE = re.compile(r"[^A-Za-z0-9@._-]")


def first_value(text: str, prop: str) -> str | None:
    """The value of the first `prop` line of a card or calendar (FN, SUMMARY, UID)."""
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.split(";", 1)[0].strip().upper() == prop and value.strip():
            return value.strip()
    return None


def item_uid(text: str) -> str:
    """The item's UID, made safe as a file name; a hash of the text without one."""
    uid = first_value(text, "UID")
    if uid is None:
        return hashlib.sha256(text.encode()).hexdigest()[:32]
    return SAFE.sub("_", uid)[:200]


def save(conflicts: Path, version: Path) -> Path:
    with version.open(encoding="utf-8", newline="") as source:  # CRLF kept as it came
        text = source.read()
    side = "pcrm" if version.name.endswith("_local") else "server"
    suffix = ".vcf" if "BEGIN:VCARD" in text.upper() else ".ics"
    target = conflicts / f"{item_uid(text)}.{side}{suffix}"
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    os.replace(temporary, target)
    return target


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        sys.stderr.write("usage: python -m pcrm.app.sync_conflict CONFLICTS A B\n")
        return 2
    conflicts = Path(argv[0])
    conflicts.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name in argv[1:]:
        save(conflicts, Path(name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
