"""A real Radicale CardDAV/CalDAV server for the `pcrm sync` tests, and a "phone": plain
HTTP requests (urllib, in the tests only) to what the server holds.

`radicale` starts `python -m radicale` from this venv on a free 127.0.0.1 port, with its
storage in tmp_path and htpasswd auth from a plain-text file (user `me`, password
`secret`), waits until the port answers, and terminates it at teardown.
"""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

USER, PASSWORD = "me", "secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    base: str  # http://127.0.0.1:PORT
    storage: Path

    @property
    def contacts_url(self) -> str:
        return f"{self.base}/{USER}/contacts/"

    @property
    def tasks_url(self) -> str:
        return f"{self.base}/{USER}/tasks/"

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Authorization", f"Basic {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def hrefs(self, collection: str) -> dict[str, str]:
        """The items of `collection` (contacts|tasks): href -> ETag, by PROPFIND."""
        import re

        status, _, body = self.request(
            "PROPFIND",
            f"{self.base}/{USER}/{collection}/",
            b'<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getetag/></prop></propfind>',
            {"Depth": "1", "Content-Type": "application/xml"},
        )
        if status == 404:  # no such collection (yet): nothing on the server
            return {}
        assert status == 207, body
        text = body.decode()
        found = {}
        for response in re.findall(r"<response>(.*?)</response>", text, re.S):
            href = re.search(r"<href>(.*?)</href>", response, re.S)
            etag = re.search(r"<getetag>(.*?)</getetag>", response, re.S)
            if href and etag and not href.group(1).endswith("/"):
                found[href.group(1)] = etag.group(1).replace("&quot;", '"')
        return found

    def items(self, collection: str) -> dict[str, str]:
        """href -> the item's text, as a phone would download it."""
        texts = {}
        for href in self.hrefs(collection):
            status, _, body = self.request("GET", self.base + href)
            assert status == 200
            texts[href] = body.decode()
        return texts

    def put(self, href: str, text: str, etag: str | None = None) -> int:
        """An edit or a new item from the phone: PUT with If-Match (edit) or If-None-Match."""
        headers = {"Content-Type": "text/vcard" if href.endswith(".vcf") else "text/calendar"}
        if etag is None:
            headers["If-None-Match"] = "*"
        else:
            headers["If-Match"] = etag
        status, _, _ = self.request("PUT", self.base + href, text.encode(), headers)
        return status

    def delete(self, href: str) -> int:
        etag = self.hrefs(href.rstrip("/").split("/")[-2])[href]
        status, _, _ = self.request("DELETE", self.base + href, headers={"If-Match": etag})
        return status


@pytest.fixture(name="radicale")
def radicale_server(tmp_path: Path) -> Iterator[Server]:
    folder = tmp_path / "radicale"
    folder.mkdir()
    users = folder / "users"
    users.write_text(f"{USER}:{PASSWORD}\n")
    port = free_port()
    log = (folder / "log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--storage-filesystem-folder",
            str(folder / "collections"),
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(users),
            "--auth-htpasswd-encryption",
            "plain",
            "--auth-delay",
            "0",
            "--logging-level",
            "warning",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "radicale did not start: " + (folder / "log").read_text()
                    ) from None
                time.sleep(0.05)
        yield Server(f"http://127.0.0.1:{port}", folder / "collections")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
