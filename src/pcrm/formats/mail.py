"""Reading mail: one RFC 5322 message (a file or stdin), an mbox file or a maildir, into
core's MailMessage (core/activity/capture.py).

The standard library does the reading: `email` with policy `default` (encoded words,
charsets, MIME) and `mailbox` (mbox, maildir). What a message says is kept short: the
subject and the first lines of the newest reply in its plain-text body, an HTML-only
body turned into text first (html.parser, below), quoted text, reply headers ("On ...
wrote:", "Am ... schrieb:") and signatures removed by mail-parser-reply.

A malformed message never stops the reading: what cannot be read is said in its
`problems`, and the rest is kept. Nothing here writes to the database.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message, MIMEPart
from html.parser import HTMLParser
from pathlib import Path
from typing import IO

from pcrm.core.activity.capture import MailAddress, MailMessage
from pcrm.core.people.text import normalise_email
from pcrm.errors import InvalidInput

MAX_LINES = 20  # of the body kept in the interaction's text
MAX_CHARS = 1000
# The languages whose reply headers and signatures mail-parser-reply recognises.
REPLY_LANGUAGES = ["en", "de", "fr", "it", "nl", "da", "sv", "pl", "ja", "es", "cs", "ko", "zh"]
_NOREPLY = re.compile(r"^(no-?reply|do-?not-?reply|donotreply|mailer-daemon|bounces?)([+.-]|$)")
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True)
class RawMail:
    """A message's bytes, before they are read."""

    where: str  # how to name it in a warning: the file, or "inbox.mbox message 3"
    data: bytes
    mtime: datetime | None = None  # its file's time (the date of last resort)


def read_raw(path: Path | None, stdin: IO[bytes] | None) -> Iterator[RawMail]:
    """The messages of a file (one message, or an mbox when it starts with "From "),
    a maildir folder, or stdin (one message)."""
    if path is None:
        assert stdin is not None
        data = stdin.read()
        if not data.strip():
            raise InvalidInput(
                "no message on stdin", hint="pipe one in, or give FILE or --maildir DIR"
            )
        yield RawMail("stdin", data)
        return
    if path.is_dir():
        yield from read_maildir(path)
        return
    with path.open("rb") as handle:
        start = handle.read(5)
    if start == b"From ":
        yield from read_mbox(path)
    else:
        data = path.read_bytes()
        if not data.strip():
            raise InvalidInput(f"{path} is empty", hint="give a message file or an mbox")
        yield RawMail(path.name, data, _mtime(path))


def read_source(path: Path | None, stdin: IO[bytes] | None) -> Iterator[MailMessage]:
    """Every message of read_raw(), read."""
    for raw in read_raw(path, stdin):
        yield read_message(raw.data, raw.where, mtime=raw.mtime)


def read_mbox(path: Path) -> Iterator[RawMail]:
    import mailbox

    box = mailbox.mbox(path, create=False)
    try:
        for number, key in enumerate(box.iterkeys(), start=1):
            yield RawMail(f"{path.name} message {number}", box.get_bytes(key))
    finally:
        box.close()


def read_maildir(path: Path) -> Iterator[RawMail]:
    """Every message of a maildir: the files of new/ and cur/ (not those starting with
    a dot), in name order. A maildir is only these files, so they are read directly (as
    mailbox.Maildir would), which also gives each file's time: the fallback date."""
    if not (path / "cur").is_dir() and not (path / "new").is_dir():
        from pcrm.errors import InvalidInput

        raise InvalidInput(
            f"{path} is not a maildir (it has no cur/ or new/ folder)",
            hint="give the folder that holds cur/, new/ and tmp/",
        )
    for folder in ("new", "cur"):
        try:
            names = sorted(name for name in os.listdir(path / folder) if not name.startswith("."))
        except FileNotFoundError:
            continue
        for name in names:
            file = path / folder / name
            try:
                data = file.read_bytes()
            except OSError:  # gone since the listing (mbsync moved it): it is read next time
                continue
            yield RawMail(f"{folder}/{name}", data, _mtime(file))


@dataclass(frozen=True)
class Peeked:
    external_id: str
    bulk: str | None  # why it is not personal mail, or None
    at: datetime | None  # its Date, when it has a readable one


def peek(raw: RawMail) -> Peeked:
    """What the headers alone say, read without the header registry: ten times cheaper
    than read_message, so messages captured before, skipped, or older than --since are
    never read whole (a re-run over a maildir, an hourly cron)."""
    from email import policy
    from email.parser import BytesHeaderParser

    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw.data)
        own = _ids(str(headers.get("message-id", "")))
        senders = _addresses(headers, ["from"], [])
        dates = headers.get_all("date", failobj=[])
        at = _parse_date(str(dates[0])) if dates else None
        return Peeked(own[0] if own else _digest(raw.data), _bulk(headers, senders, []), at)
    except Exception:  # read_message says what is wrong
        return Peeked(_digest(raw.data), None, None)


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None


def _unreadable(where: str, why: str) -> MailMessage:
    return MailMessage(where, "", "", "", None, problems=[f"could not be read: {why}"])


def read_message(data: bytes, where: str, *, mtime: datetime | None = None) -> MailMessage:
    """One message from its bytes; what cannot be read goes to `problems`."""
    from email import policy
    from email.parser import BytesParser

    problems: list[str] = []
    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
    except Exception as error:  # the parser is lenient; this is a last resort
        return _unreadable(where, f"{type(error).__name__}: {error}")
    assert isinstance(message, EmailMessage)
    subject = " ".join(_header(message, "subject", problems).split())
    senders = _addresses(message, ["from"], problems)
    recipients = _addresses(message, ["to", "cc"], problems)
    parents = _ids(_header(message, "references", problems))
    parents += [i for i in _ids(_header(message, "in-reply-to", problems)) if i not in parents]
    own = _ids(_header(message, "message-id", problems))
    external_id = own[0] if own else _digest(data)
    at = _date(message, problems, mtime)
    body = _body(message, problems)
    if not senders and not recipients:
        problems.append("no address in From, To or Cc")
    if message.defects:
        names = sorted({type(defect).__name__ for defect in message.defects})
        problems.append("malformed (" + ", ".join(names) + "); read what could be")
    return MailMessage(
        where=where,
        external_id=external_id,
        subject=subject,
        body=body,
        at=at,
        senders=senders,
        recipients=recipients,
        thread_id=parents[0] if parents else None,
        parents=parents,
        bulk=_bulk(message, senders, problems),
        problems=problems,
    )


def _header(message: Message, name: str, problems: list[str]) -> str:
    try:
        value = message.get(name)
        return "" if value is None else _readable(str(value))
    except Exception as error:  # a header the policy cannot parse: its raw text then
        problems.append(f"bad {name.capitalize()} header ({type(error).__name__})")
        raw = message.get_all(name, failobj=[])
        return str(raw[0]) if raw else ""


def _readable(text: str) -> str:
    """Header text without the lone surrogates that 8-bit junk leaves in it."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def _ids(text: str) -> list[str]:
    return list(dict.fromkeys(_MESSAGE_ID.findall(text)))


def _digest(data: bytes) -> str:
    """An id for a message without a Message-ID: the same bytes, the same id."""
    return "pcrm:" + hashlib.sha256(data).hexdigest()[:32]


def _addresses(message: Message, names: list[str], problems: list[str]) -> list[MailAddress]:
    from email.headerregistry import AddressHeader
    from email.utils import getaddresses

    found: dict[str, MailAddress] = {}
    for name in names:
        pairs: list[tuple[str, str]] = []
        try:
            headers = message.get_all(name, failobj=[])
            if all(isinstance(header, AddressHeader) for header in headers):
                pairs = [
                    (address.display_name, address.addr_spec)
                    for header in headers
                    if isinstance(header, AddressHeader)
                    for address in header.addresses
                ]
            else:  # compat32 (peek): plain strings
                pairs = getaddresses([str(value) for value in headers])
        except Exception:  # a header the policy could not parse: its raw text
            raw = message.get_all(name, failobj=[])
            pairs = getaddresses([_readable(str(value)) for value in raw])
        for display, spec in pairs:
            if not spec.strip():
                continue
            try:
                email = normalise_email(spec)  # as pcrm stores addresses: lower case
            except InvalidInput:
                problems.append(
                    f'{name.capitalize()}: "{spec.strip()}" is not an address; left out'
                )
                continue
            found.setdefault(email, MailAddress(email, " ".join(_readable(display).split())))
    return list(found.values())


def _parse_date(text: str) -> datetime | None:
    """An RFC 5322 date in UTC; None when it cannot be read."""
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # -0000: the time is UTC, its zone unknown
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _date(message: Message, problems: list[str], mtime: datetime | None) -> datetime | None:
    raw = message.get_all("date", failobj=[])
    moment = _parse_date(str(raw[0])) if raw else None
    if moment is not None:
        return moment
    said = "no Date header" if not raw else f'unreadable Date "{str(raw[0])[:40]}"'
    for received in message.get_all("received", failobj=[]):
        moment = _parse_date(str(received).rpartition(";")[2])
        if moment is not None:
            problems.append(f"{said}; dated from its Received header")
            return moment
    if mtime is not None:
        problems.append(f"{said}; dated from the file's time")
        return mtime
    problems.append(f"{said}; dated now")
    return None


def _bulk(message: Message, senders: list[MailAddress], problems: list[str]) -> str | None:
    """Why the message is not personal mail, or None."""
    if message.get_all("list-id") or message.get_all("list-unsubscribe"):
        return "list"
    precedence = _header(message, "precedence", problems).strip().lower()
    if precedence in ("bulk", "list", "junk"):
        return "bulk"
    submitted = _header(message, "auto-submitted", problems).strip().lower()
    if submitted and submitted != "no":
        return "auto"
    if any(_NOREPLY.match(sender.email.partition("@")[0]) for sender in senders):
        return "noreply"
    return None


def _body(message: EmailMessage, problems: list[str]) -> str:
    part: MIMEPart | None
    try:
        kind = message.get_content_type()
        if kind in ("text/plain", "text/html"):  # most mail: no MIME tree to walk
            part, subtype = message, kind[5:]
        else:
            part = message.get_body(preferencelist=("plain", "html"))
            subtype = part.get_content_subtype() if part is not None else ""
    except Exception:
        part, subtype = None, ""
    if part is None and message.get_content_type() == "message/rfc822":
        inner = message.get_payload()  # a forwarded message: its body
        if isinstance(inner, list) and inner and isinstance(inner[0], EmailMessage):
            return _body(inner[0], problems)
    if part is None:
        payload = message.get_payload()  # a multipart without parts (broken MIME): its text
        return first_lines(reply_of(payload)) if isinstance(payload, str) else ""
    text = _text_of(part, problems)
    if subtype == "html":
        text = html_to_text(text)
    return first_lines(reply_of(text))


_LATIN_1 = ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii")


def _text_of(part: MIMEPart, problems: list[str]) -> str:
    try:
        content = part.get_content()
        if isinstance(content, str):
            if re.search("[\x80-\x9f]", content) and part.get_content_charset() in _LATIN_1:
                # Mail labelled Latin-1 written on Windows (’ – €): Windows-1252, as browsers
                # read it too.
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    return payload.decode("cp1252", errors="replace")
            return content
    except (LookupError, UnicodeError, ValueError, AssertionError, KeyError):
        pass  # an unknown charset or a broken encoding: the bytes as well as they go
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        problems.append(f'unknown charset "{charset}"; read as UTF-8')
        return payload.decode("utf-8", errors="replace")


def reply_of(text: str) -> str:
    """The newest reply of a body: quoted text, reply headers, signatures removed
    (mail-parser-reply, imported only when mail is read)."""
    # mail-parser-reply ships no py.typed marker (its code is annotated): Any to mypy.
    from mailparser_reply.parser import EmailMessage as ReplyMessage  # type: ignore[import-untyped]

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return ""
    try:
        parsed = ReplyMessage(
            text=text, languages=list(REPLY_LANGUAGES), keep_hyphen_lists=True, **_patterns()
        ).read()
    except Exception:  # a library bug on odd text must not stop a capture: keep the text
        return text.strip()
    if not parsed.replies:
        return text.strip()
    body: str = parsed.replies[0].body
    # Quoted lines (RFC 3676: they start with ">") left without a reply header above them,
    # as when a client quotes below an answer with no "On ... wrote:", are no reply either.
    unquoted = "\n".join(line for line in body.splitlines() if not line.startswith(">"))
    return unquoted.strip() or body.strip() or text.strip()


@functools.cache
def _patterns() -> dict[str, object]:
    """mail-parser-reply's three patterns, built once per run instead of once per message
    (a tenth of a backfill's time); they are fields of its EmailMessage, so they are
    passed in."""
    from mailparser_reply.parser import EmailMessage as ReplyMessage

    template = ReplyMessage(text="", languages=list(REPLY_LANGUAGES), keep_hyphen_lists=True)
    return {
        "_header_regex": template.HEADER_REGEX,
        "_disclaimers_regex": template.DISCLAIMERS_REGEX,
        "_signature_regex": template.SIGNATURE_REGEX,
    }


def first_lines(text: str) -> str:
    """At most MAX_LINES lines and MAX_CHARS characters, runs of blank lines made one."""
    lines: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
        if len(lines) == MAX_LINES:
            break
    kept = "\n".join(lines).strip()
    if len(kept) > MAX_CHARS:
        kept = kept[: MAX_CHARS - 1].rstrip() + "…"
    return kept


class _TextOf(HTMLParser):
    """The text of an HTML body: a line break at block ends, script and style left out."""

    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table"}
        | {"ul", "ol", "hr", "section", "article"}
    )
    # blockquote: the quoted message of an HTML reply (Gmail, Outlook, Thunderbird)
    HIDDEN = frozenset(("script", "style", "head", "title", "blockquote"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(" ".join(data.split()) if data.strip() else " ")


def html_to_text(html: str) -> str:
    """Plain text of an HTML mail body (the standard library's html.parser)."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return "\n".join(lines).strip()
