"""`pcrm sync setup`: the vdirsyncer configuration pcrm writes next to its database.

Layout, for the database /x/pcrm.db (docs/sync.md, "Files next to the database"):

    /x/pcrm.db.sync/            0700
      config                    vdirsyncer's config (0600), made by `pcrm sync setup`
      status/                   vdirsyncer's status (what it last saw on each side)
      vdir/contacts/, vdir/tasks/   the vdir pcrm exports to and imports from
      conflicts/                both versions of each item changed on both sides
      lock                      held by a running `pcrm sync`

Two pairs: contacts (vdir/contacts <-> the CardDAV address book) and tasks (vdir/tasks <->
the CalDAV calendar, VTODO only). Each server storage's `url` is the parent of the
collection's URL and the collection is named by the URL's last segment, so that vdirsyncer
(`implicit = "create"`) makes the collection when the server does not have it yet. The
password is fetched by a command (`password.fetch`), never written down.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pcrm.errors import InvalidInput

Policy = Literal["pcrm", "server"]

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

# (pair, vdir folder, file suffix, DAV storage type)
COLLECTIONS = {
    "contacts": ("pcrm_contacts", "contacts", ".vcf", "carddav"),
    "tasks": ("pcrm_tasks", "tasks", ".ics", "caldav"),
}


@dataclass(frozen=True)
class SyncPaths:
    """Where `pcrm sync` keeps its files, beside the database `db`."""

    db: Path

    @property
    def root(self) -> Path:
        # Absolute: the config names these paths, and cron runs vdirsyncer from elsewhere.
        db = Path(os.path.abspath(self.db))
        return db.with_name(db.name + ".sync")

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def status(self) -> Path:
        return self.root / "status"

    @property
    def vdir(self) -> Path:
        return self.root / "vdir"

    @property
    def conflicts(self) -> Path:
        return self.root / "conflicts"

    @property
    def lock(self) -> Path:
        return self.root / "lock"


@dataclass
class SetupResult:
    config: str
    vdir: str
    collections: dict[str, str] = field(default_factory=dict)  # contacts|tasks -> URL
    prefer: Policy | None = None
    replaced: bool = False


def _collection_url(option: str, url: str) -> tuple[str, str]:
    """(the storage's url: the collection's parent, the collection's name)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(
            f'{option} "{url}" is not an http(s) URL',
            hint=f"give the collection's URL, e.g. {option} https://dav.example.org/me/contacts/",
        )
    path = parts.path.rstrip("/")
    parent, _, name = path.rpartition("/")
    if not name:
        raise InvalidInput(
            f'{option} "{url}" names no collection',
            hint="give the address book's or calendar's own URL, ending in its name",
        )
    base = parts._replace(path=parent + "/", query="", fragment="").geturl()
    return base, unquote(name)


def _q(value: object) -> str:
    """A vdirsyncer config value: JSON."""
    return json.dumps(value, ensure_ascii=False)


def conflict_setting(paths: SyncPaths, prefer: Policy | None) -> str:
    """The pairs' `conflict_resolution`: a = pcrm's vdir, b = the server. Without a
    preference, pcrm's hook saves both versions into conflicts/ and changes neither, so
    vdirsyncer reports the item and leaves both sides as they are."""
    if prefer == "pcrm":
        return _q("a wins")
    if prefer == "server":
        return _q("b wins")
    return _q(["command", sys.executable, "-m", "pcrm.app.sync_conflict", str(paths.conflicts)])


def render_config(
    paths: SyncPaths,
    urls: dict[str, str],
    user: str,
    password_command: list[str],
    prefer: Policy | None,
) -> str:
    lines = [
        "# Written by `pcrm sync setup`; `pcrm sync setup --force` writes it again.",
        "# pcrm's vdir is side a, the server side b. docs/sync.md explains each part.",
        "[general]",
        f"status_path = {_q(str(paths.status) + os.sep)}",
    ]
    for kind, url in urls.items():
        pair, folder, suffix, dav = COLLECTIONS[kind]
        base, name = _collection_url(f"--{dav}", url)
        lines += [
            "",
            f"[pair {pair}]",
            f'a = "{pair}_local"',
            f'b = "{pair}_server"',
            f"collections = {_q([[folder, folder, name]])}",
            'implicit = "create"',
            f"conflict_resolution = {conflict_setting(paths, prefer)}",
            "",
            f"[storage {pair}_local]",
            'type = "filesystem"',
            f"path = {_q(str(paths.vdir))}",
            f"fileext = {_q(suffix)}",
            "",
            f"[storage {pair}_server]",
            f"type = {_q(dav)}",
            f"url = {_q(base)}",
            f"username = {_q(user)}",
            f"password.fetch = {_q(['command', *password_command])}",
        ]
        if kind == "tasks":
            lines.append('item_types = ["VTODO"]')
    return "\n".join(lines) + "\n"


def setup_sync(
    paths: SyncPaths,
    *,
    carddav: str | None,
    caldav: str | None,
    user: str,
    password_command: str | None,
    prefer: Policy | None,
    force: bool,
) -> SetupResult:
    """Write the config (0600) in a 0700 folder; refuse to replace one without `force`.
    Replacing it with other collections or servers also forgets vdirsyncer's status,
    which belongs to the old ones (a new password or policy keeps it)."""
    urls = {kind: url for kind, url in (("contacts", carddav), ("tasks", caldav)) if url}
    if not urls:
        raise InvalidInput(
            "give --carddav URL, --caldav URL or both", hint="pcrm sync setup --help"
        )
    if not user.strip():
        raise InvalidInput("--user is empty", hint="give the user name on the server")
    if not password_command or not password_command.strip():
        raise InvalidInput(
            "give --password-command CMD (it prints the password; e.g. pass show dav/me)",
            hint="pcrm never stores the password itself",
        )
    try:
        command = shlex.split(password_command)
    except ValueError as exc:
        raise InvalidInput(f"--password-command cannot be read: {exc}") from None
    text = render_config(paths, urls, user, command, prefer)
    existed = paths.config.exists()
    if existed and not force:
        raise InvalidInput(
            f"{paths.config} already exists",
            hint="pcrm sync setup ... --force replaces it (and vdirsyncer's status)",
        )
    from pcrm.store.files import NewFile

    try:
        paths.root.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        if existed and _servers(paths.config.read_text(encoding="utf-8")) != _servers(text):
            _forget_status(paths.status)
        with NewFile(paths.config, force=True) as temporary:
            temporary.write_text(text, encoding="utf-8")
        os.chmod(paths.config, PRIVATE_FILE)
    except OSError as exc:
        where = exc.filename or paths.root
        raise InvalidInput(f"cannot write {where}: {exc.strerror}") from None
    return SetupResult(str(paths.config), str(paths.vdir), urls, prefer, existed)


def _servers(config: str) -> list[str]:
    """The lines of a config that say which collections it syncs where."""
    return [
        line
        for line in config.splitlines()
        if line.startswith(("[pair ", "collections =", "url =", "path ="))
    ]


def _forget_status(status: Path) -> None:
    import shutil

    if status.is_dir():
        shutil.rmtree(status)


def config_with(paths: SyncPaths, prefer: Policy) -> str:
    """The config's text with every pair's conflict policy set to `prefer`, for one run."""
    setting = conflict_setting(paths, prefer)
    return "".join(
        f"conflict_resolution = {setting}\n" if line.startswith("conflict_resolution =") else line
        for line in paths.config.read_text(encoding="utf-8").splitlines(keepends=True)
    )


def configured(paths: SyncPaths) -> list[str]:
    """The collections the config syncs (contacts, tasks)."""
    text = paths.config.read_text(encoding="utf-8")
    return [kind for kind, spec in COLLECTIONS.items() if f"[pair {spec[0]}]" in text]


def configured_policy(paths: SyncPaths) -> Policy | None:
    """Who wins a conflict by the config: pcrm (a wins), the server (b wins) or nobody."""
    text = paths.config.read_text(encoding="utf-8")
    if f"conflict_resolution = {_q('a wins')}" in text:
        return "pcrm"
    if f"conflict_resolution = {_q('b wins')}" in text:
        return "server"
    return None
