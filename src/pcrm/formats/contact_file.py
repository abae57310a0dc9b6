"""Opening a contacts file for import: bytes to text, CSV or vCard, delimiter and preamble.

What real exports contain (docs/import-export.md): UTF-8 with or without a BOM, UTF-16 with
or without a BOM (Excel's "Unicode text"), Windows-1252 from Outlook desktop; commas,
semicolons or tabs; LinkedIn's preamble lines before the header. The file is read twice
(once to settle the encoding, once to import), so stdin, a pipe or a FIFO (`<(cmd)`,
/dev/stdin) is first copied to a temporary file: memory stays flat whatever the size. A
vCard whose line folds cut UTF-8 characters in two is read from a mended copy (_refolded).

No line is read whole before its length is known (docs/import-export.md, "Limits"): a CSV
row over ROW_LIMIT characters is rejected with its line number and the others import; a
vCard over CARD_LIMIT is rejected alike, its pictures, sounds and keys (PHOTO, LOGO, SOUND,
KEY) left out before it is measured or parsed: they are never decoded, only kept in the
card's raw text (up to ROW_LIMIT) so that a vCard export writes them back.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from pcrm.errors import InvalidInput

if TYPE_CHECKING:
    from _csv import Reader

    from charset_normalizer import CharsetMatch

_CHUNK = 1 << 20
_SAMPLE = 64 * 1024  # what the delimiter sniffer and the preamble finder look at
DELIMITERS = ",;\t"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
MiB = 1024 * 1024
# A notes cell may be long, but not unbounded: csv's default limit is 128 KiB.
ROW_LIMIT = 16 * MiB  # characters in one CSV row (all its lines, if a cell holds line ends)
CARD_LIMIT = 1 * MiB  # characters in one vCard, once its binary properties are left out
csv.field_size_limit(ROW_LIMIT)
# Properties that hold a picture, a sound or a key, often inline in base64: never decoded,
# kept only in the card's raw text (ROW_LIMIT bounds it, pictures included).
BINARY_PROPERTIES = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_PROPERTY = re.compile(r"(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")
# C0 control characters that text files hardly hold: many of them mean binary data. A few
# are text (a note that holds a \x01 exported by pcrm itself); real binary files (a PNG, a
# spreadsheet) have them in every few bytes.
_BINARY_BYTES = bytes(range(0, 9)) + bytes(range(14, 27)) + bytes(range(28, 32))
_BINARY_SHARE = 0.01  # more than 1 byte in 100 of the first 64 KiB...
_BINARY_LEAST = 8  # ...and more than 8 of them
_VCARD_LEAD = 5  # non-blank lines that may come before a file's first BEGIN:VCARD


@dataclass
class Source:
    """An opened, seekable contacts file whose encoding and kind are known."""

    label: str  # how messages name it: the path as given, or "stdin"
    handle: BinaryIO
    codec: str  # Python's codec name
    encoding: str  # as the summary shows it: "UTF-8", "UTF-8 with BOM", "UTF-16"...
    kind: str  # "csv", "vcard" or "json"
    size: int

    def text(self) -> io.TextIOWrapper:
        """The whole file as text, from the start; line ends are left for csv to read."""
        self.handle.seek(0)
        return io.TextIOWrapper(self.handle, encoding=self.codec, newline="")

    @contextlib.contextmanager
    def reading(self, label: str | None = None) -> Iterator[io.TextIOWrapper]:
        """The file as text for one pass: a byte that does not decode ends it with one
        clear error, and the text wrapper is let go without closing the file under it."""
        stream = self.text()
        try:
            yield stream
        except UnicodeDecodeError:
            raise self.undecodable(label) from None
        finally:
            _let_go(stream)

    def undecodable(self, label: str | None = None) -> InvalidInput:
        return InvalidInput(
            f"{label or self.label} is not valid {self.encoding}",
            hint="give its encoding with --encoding",
        )

    def position(self) -> int:
        """Bytes read so far (for the progress bar); approximate, the reader buffers."""
        try:
            return self.handle.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        self.handle.close()


def open_source(path: str, *, encoding: str | None = None) -> Source:
    """Open FILE (or `-` for stdin), refusing what cannot be a contacts file.

    Raises InvalidInput with one clear line: missing or unreadable file, empty, binary,
    or bytes in no code page that can be told (see _code_page)."""
    label = "stdin" if path == "-" else path
    handle = _open_bytes(path, label)
    try:
        return _inspect(handle, label, encoding)
    except BaseException:
        handle.close()
        raise


def _spooled(stream: BinaryIO) -> BinaryIO:
    """A seekable copy of a stream read once (stdin, a pipe, a FIFO), in a temporary file."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by Source.close)
    try:
        shutil.copyfileobj(stream, spool, _CHUNK)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _open_bytes(path: str, label: str) -> BinaryIO:
    if path == "-":
        return _spooled(sys.stdin.buffer)
    target = Path(path).expanduser()
    try:
        if target.is_dir():
            raise InvalidInput(f"{label} is a folder, not a file", hint="give a CSV or vCard file")
        handle = target.open("rb")
        if handle.seekable():
            return handle
        with handle:  # <(cmd), a FIFO, /dev/stdin on a pipe: read once, so copied
            return _spooled(handle)
    except FileNotFoundError:
        raise InvalidInput(f"cannot read {label}: no such file", hint="check the path") from None
    except PermissionError:
        raise InvalidInput(
            f"cannot read {label}: permission denied", hint="check the file's permissions"
        ) from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {label}: {exc.strerror}") from None


def _inspect(handle: BinaryIO, label: str, encoding: str | None) -> Source:
    head = handle.read(_SAMPLE)
    size = handle.seek(0, io.SEEK_END)
    if encoding:
        codec, shown = _named_codec(encoding), encoding
    elif head.startswith(codecs.BOM_UTF8):
        codec, shown = "utf-8-sig", "UTF-8 with BOM"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec, shown = "utf-16", "UTF-16"
    elif (bare := _utf16_without_bom(head)) and _decodes(handle, bare):
        codec, shown = bare, f"UTF-16 {bare[-2:].upper()} (no BOM)"
    elif not head.strip():
        raise InvalidInput(f"{label} is empty", hint="export your contacts again")
    elif _looks_binary(head):
        raise InvalidInput(
            f"{label} is a binary file, not CSV or vCard",
            hint="in a spreadsheet, save it as CSV first",
        )
    elif _decodes(handle, "utf-8"):
        codec, shown = "utf-8", "UTF-8"
    elif refolded := _refolded(handle, head, "utf-8"):
        handle, codec, shown = refolded, "utf-8", "UTF-8"
    else:
        codec, shown = _code_page(handle, label)
    if codec in ("utf-8", "utf-8-sig") and (encoding or codec == "utf-8-sig"):
        handle = _refolded(handle, head, codec, check=True) or handle  # named, or a BOM
    source = Source(label, handle, codec, shown, "csv", size)
    try:
        start = _first_text(source, label)
        if not start.strip():
            raise InvalidInput(f"{label} is empty", hint="export your contacts again")
    except BaseException:
        source.close()  # the refolded copy, if any (open_source closes the file given)
        raise
    if _looks_like_vcard(start):
        source.kind = "vcard"
    elif _looks_like_json(start):
        source.kind = "json"
    return source


# A UTF-8 character cut by a vCard line fold: its first bytes end a line (a lead byte and
# fewer continuation bytes than it announces), the rest start the next line after its
# space or tab. KDE's kcontacts writes folds so (every 75 bytes), and others alike.
_SPLIT_AT_FOLD = re.compile(
    rb"([\xc2-\xdf]|[\xe0-\xef][\x80-\xbf]?|[\xf0-\xf4][\x80-\xbf]{0,2})(\r\n|\n|\r)([ \t])"
)
_SPLIT_MOST = 6  # bytes of the longest such match: 3 of a character, CR LF and a space
_MEND_PASSES = 4  # a 4-byte character cut into four needs three; one more for a blank line


def _refolded(handle: BinaryIO, head: bytes, codec: str, *, check: bool = False) -> BinaryIO | None:
    """For a vCard file that is not valid UTF-8 as it is only because its line folds cut
    characters in two: a copy in a temporary file where each cut character's first bytes
    are moved past the fold, to join the rest (bytes `d0 CR LF SP bb` become `CR LF SP d0
    bb`). The copy unfolds to the same card and has the same bytes and the same
    lines, so line numbers in messages and the progress are those of the file as given.
    None when the file is no vCard, needs no such mending (`check`: it decodes already),
    or is not valid UTF-8 even so (then charset detection goes on with the file as given).

    The file is copied in chunks (memory stays flat); the last bytes of each chunk wait
    for the next, so that a fold across two chunks is mended too."""
    if not _looks_like_vcard(head.decode("utf-8", "replace")):
        return None
    if check and _decodes(handle, codec):
        return None
    handle.seek(0)
    copy = tempfile.TemporaryFile()  # noqa: SIM115 (closed by Source.close, or below)
    try:
        mended, waiting = 0, b""
        while chunk := handle.read(_CHUNK):
            data, count = _mend_folds(waiting + chunk)
            mended += count
            copy.write(data[:-_SPLIT_MOST])
            waiting = data[-_SPLIT_MOST:]
        copy.write(waiting)
        if mended and _decodes(copy, codec):
            copy.seek(0)
            handle.close()
            return copy
    except BaseException:
        copy.close()
        raise
    copy.close()
    return None


def _mend_folds(data: bytes) -> tuple[bytes, int]:
    """Move each character's first bytes past the fold that cuts it; again while a moved
    piece ends a line that is itself folded (a 4-byte character cut by three folds), but
    no more than _MEND_PASSES times: bytes that still need moving (a run of lead bytes in
    a file that is no UTF-8 at all) leave the copy invalid, and the file as given goes on
    to charset detection."""
    total = 0
    for _ in range(_MEND_PASSES):
        data, count = _SPLIT_AT_FOLD.subn(rb"\2\3\1", data)
        if not count:
            break
        total += count
    return data, total


# The code pages a contacts export comes in when it is not UTF-8 or UTF-16: Windows' and the
# Mac's for each script, their ISO and DOS cousins, and the East Asian ones. Asking
# charset-normalizer about these only keeps it from answering with a rare code page that
# happens to decode a few bytes (Big5-HKSCS for two Cyrillic words) and makes it faster.
CODE_PAGES = (
    "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
    "cp1258", "cp874", "iso8859_2", "iso8859_5", "iso8859_7", "iso8859_9", "iso8859_15",
    "koi8_r", "koi8_u", "mac_roman", "mac_cyrillic", "mac_greek", "mac_latin2", "cp437",
    "cp850", "cp852", "cp866", "cp932", "euc_jp", "iso2022_jp", "gb18030", "big5", "cp949",
)  # fmt: skip
# Fewer non-ASCII bytes than this (two or three short words) tell no code page apart.
_LEAST_NON_ASCII = 32
# What charset-normalizer reads: the lines that hold a byte above 127, up to this much.
_DETECT_SAMPLE = 256 * 1024
# Names as the summary and messages show them (Python's codec name otherwise).
_CODE_PAGE_NAMES = {
    **{f"cp{n}": f"windows-{n}" for n in range(1250, 1259)},
    "cp874": "windows-874", "cp932": "shift_jis", "cp949": "euc-kr", "gb18030": "gb18030",
    "mac_roman": "mac-roman", "mac_cyrillic": "mac-cyrillic", "mac_greek": "mac-greek",
    "mac_latin2": "mac-latin2", "koi8_r": "koi8-r", "koi8_u": "koi8-u", "euc_jp": "euc-jp",
    "iso2022_jp": "iso-2022-jp",
    **{f"iso8859_{n}": f"iso-8859-{n}" for n in (2, 5, 7, 9, 15)},
}  # fmt: skip


def _code_page(handle: BinaryIO, label: str) -> tuple[str, str]:
    """The code page of a file that is neither UTF-8 nor UTF-16, by charset-normalizer
    (imported here only: most files never need it), over the lines that hold non-ASCII
    bytes; then the whole file must decode with it.

    charset-normalizer ranks its readings by "chaos" (mess in the text) and "coherence"
    (how much it reads like a language), and calls a difference below 0.01 in chaos and
    up to 0.02 in coherence a tie it breaks arbitrarily. Its first reading is taken when
    every tied reading that decodes the text differently is worse on one measure and no
    better on the other. Windows-1252 is taken, as pcrm always did (Outlook's Western
    code page, which charset-normalizer cannot tell from Windows-1250 or Mac Roman on a
    few Western names), unless the first reading is clearly better (_clearly_better).
    Any other tie is refused, naming the candidates."""
    from charset_normalizer import from_bytes

    sample = _non_ascii_lines(handle)
    found = list(from_bytes(sample, cp_isolation=list(CODE_PAGES)))
    results = [match for match in found if not _unlikely(match)] or found
    if not results:
        raise InvalidInput(
            f"{label} is not text in UTF-8, UTF-16 or a known code page",
            hint="give its encoding with --encoding",
        )
    best = results[0]
    text = str(best)
    rivals = [
        match
        for match in results[1:]
        if abs(match.chaos - best.chaos) < 0.01
        and abs(match.coherence - best.coherence) <= 0.02
        and str(match) != text
    ]
    western = next((m for m in results if "cp1252" in m.could_be_from_charset), None)
    if western is not None and not _clearly_better(best, western):
        codec = "cp1252"
    elif all(_worse(rival, best) for rival in rivals) and _enough(sample, results):
        codec = best.encoding
    else:
        if not rivals:  # too little text: the next readings that differ
            rivals = [m for m in results[1:] if str(m) != text]
        names = [_code_page_name(m.encoding) for m in [best, *rivals]][:3]
        either = ", ".join(names[:-1]) + f" or {names[-1]}"
        raise InvalidInput(
            f"{label}: cannot tell its encoding: {either}?",
            hint=f"give it with --encoding {names[0]}",
        )
    if not _decodes(handle, codec):
        name = _code_page_name(codec)
        raise InvalidInput(
            f"{label} is not text in UTF-8, UTF-16 or {name}",
            hint="give its encoding with --encoding",
        )
    return codec, _code_page_name(codec).replace("windows-", "Windows-")


def _unlikely(match: CharsetMatch) -> bool:
    """Whether a reading is one no real file gives: Korean (Windows-949) that needs Hangul
    syllables outside the 2,350 of KS X 1001 (EUC-KR), which Korean text keeps to. The
    extra syllables of Windows-949 take the lead bytes 0x81-0xA0 that Shift-JIS uses for
    kana and kanji, so Japanese names read as rare Hangul with less "chaos" than as
    Japanese ("名無しの権兵衛" as "뼹뼰궢궻뙛빜뎢")."""
    if codecs.lookup(match.encoding).name != "cp949":
        return False
    return any(
        len(code := char.encode("cp949")) == 2 and min(code) < 0xA1  # both bytes 0xA1+ in KS X 1001
        for char in set(str(match))
        if ord(char) > 127
    )


def _as_good(match: CharsetMatch, best: CharsetMatch) -> bool:
    return match.chaos <= best.chaos + 1e-6 and match.coherence >= best.coherence - 1e-6


def _enough(sample: bytes, results: list[CharsetMatch]) -> bool:
    """Whether there is enough non-ASCII text for a reading to be trusted: a couple of
    short words (under _LEAST_NON_ASCII bytes) read well in several scripts, unless no
    other code page reads them at all."""
    return len(results) == 1 or sum(1 for byte in sample if byte > 127) >= _LEAST_NON_ASCII


def _clearly_better(best: CharsetMatch, western: CharsetMatch) -> bool:
    """Whether the first reading beats Windows-1252's: less chaos by more than a tie, or
    less chaos and no less coherence."""
    if best.chaos >= western.chaos - 1e-6:
        return False
    return western.chaos - best.chaos >= 0.01 or best.coherence >= western.coherence - 1e-6


def _worse(rival: CharsetMatch, best: CharsetMatch) -> bool:
    """Worse on chaos or coherence, and no better on the other."""
    return not _as_good(rival, best) and (
        rival.chaos >= best.chaos - 1e-6 and rival.coherence <= best.coherence + 1e-6
    )


def _code_page_name(codec: str) -> str:
    normal = codecs.lookup(codec).name.replace("-", "_")
    return _CODE_PAGE_NAMES.get(normal, _CODE_PAGE_NAMES.get(codec, codec))


def _non_ascii_lines(handle: BinaryIO) -> bytes:
    """The file's lines that hold a byte above 127, up to _DETECT_SAMPLE bytes of them:
    what tells one code page from another (ASCII reads the same in all of them)."""
    handle.seek(0)
    found: list[bytes] = []
    size = 0
    while line := handle.readline(_CHUNK):  # a line over 1 MiB comes in pieces
        if not line.isascii():
            found.append(line)
            size += len(line)
            if size >= _DETECT_SAMPLE:
                break
    return b"".join(found)


def _utf16_without_bom(head: bytes) -> str | None:
    """The codec of UTF-16 text without a BOM, told by its NULs: text that is mostly Latin
    letters, digits and punctuation has a NUL in every other byte (the high byte of each
    character: second in little-endian, first in big-endian) and none in the others."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    first, second = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    if second >= pairs * 0.3 and first <= pairs * 0.01:
        return "utf-16-le"
    if first >= pairs * 0.3 and second <= pairs * 0.01:
        return "utf-16-be"
    return None


def _looks_binary(head: bytes) -> bool:
    controls = sum(1 for byte in head if byte in _BINARY_BYTES)
    return controls > _BINARY_LEAST and controls > len(head) * _BINARY_SHARE


def _looks_like_vcard(start: str) -> bool:
    """A BEGIN:VCARD among the first few non-blank lines: exporters and people put a line
    or two before the first card (a title, a PROFILE line, a BOM, blank lines)."""
    lines = (line.strip().lstrip("\ufeff").strip() for line in start.splitlines()[:200])
    for seen, line in enumerate(line for line in lines if line):
        if line.upper() == "BEGIN:VCARD":
            return True
        if seen >= _VCARD_LEAD:
            return False
    return False


def _looks_like_json(start: str) -> bool:
    """pcrm's JSON: an array of objects (or an empty one), `[` then `{` or `]`."""
    rest = start.lstrip()
    return rest.startswith("[") and rest[1:].lstrip()[:1] in ("{", "]")


def _named_codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InvalidInput(
            f'unknown encoding "{name}"', hint="try utf-8, utf-16, cp1252 or latin-1"
        ) from None


def _decodes(handle: BinaryIO, codec: str) -> bool:
    """Whether the whole file decodes with `codec`, read in chunks (memory stays flat)."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        while chunk := handle.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _first_text(source: Source, label: str) -> str:
    with source.reading(label) as stream:
        return stream.read(_SAMPLE)


def _let_go(stream: io.TextIOWrapper) -> None:
    """Drop the text wrapper without closing the file under it (the Source owns it)."""
    with contextlib.suppress(ValueError):  # the Source was closed first
        stream.detach()


def _bounded_lines(stream: io.TextIOWrapper, limit: int) -> Iterator[tuple[str, bool]]:
    """The physical lines, each with True when it is whole; a line over `limit` characters
    comes as its first `limit` and False, the rest read in pieces and dropped."""
    while line := stream.readline(limit + 1):
        if len(line) <= limit or line.endswith(("\n", "\r")):
            yield line, True
            continue
        while (rest := stream.readline(_CHUNK)) and not rest.endswith(("\n", "\r")):
            pass
        yield line[:limit], False


def _size(limit: int) -> str:
    return f"{limit // MiB} MiB"


# -- CSV ---------------------------------------------------------------------------------


@dataclass
class CsvLayout:
    """Where the table starts and how it is split: what the summary reports."""

    delimiter: str
    preamble: int  # physical lines before the header (LinkedIn's notes)
    header: list[str] = field(default_factory=list)
    header_line: int = 1

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))


@dataclass
class CsvRow:
    line: int  # physical line where the row starts (1-based, preamble and header counted)
    cells: list[str]
    problem: str | None = None  # why it cannot be read (too long: its cells are not kept)


class _RowTooLong(Exception):
    """A row's lines add up to more than ROW_LIMIT: a quote left open, most likely."""


class _Lines:
    """The file's lines for csv.reader, in bounded memory: a line over ROW_LIMIT is given as
    a bare line end and its number kept, so the row it belongs to is rejected; a row whose
    lines together pass ROW_LIMIT stops the reading (where it ends cannot be known)."""

    def __init__(self, stream: io.TextIOWrapper, number: int) -> None:
        self.readline = stream.readline  # _bounded_lines' reading, inlined: once a line
        self.number = number  # the physical line last given
        self.too_long: list[int] = []  # lines given as a bare line end
        self.row_size = 0  # characters given since the current row started

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.readline(ROW_LIMIT + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) > ROW_LIMIT and not line.endswith(("\n", "\r")):  # see _bounded_lines
            while (rest := self.readline(_CHUNK)) and not rest.endswith(("\n", "\r")):
                pass
            self.too_long.append(self.number)
            return "\n"
        self.row_size += len(line)
        if self.row_size > ROW_LIMIT:
            raise _RowTooLong
        return line

    def row_done(self, end: int) -> bool:
        """Start the next row; whether the one that ended on line `end` held a long line."""
        self.row_size = 0
        if not self.too_long:
            return False
        held = self.too_long[0] <= end
        self.too_long = [number for number in self.too_long if number > end]
        return held


def _too_long(label: str, line: int, what: str = "row") -> InvalidInput:
    return InvalidInput(
        f"{label}, line {line}: the {what} is longer than {_size(ROW_LIMIT)},"
        " pcrm's limit for one row (is a quote not closed?)",
        hint="fix the file, or split the cell",
    )


def csv_layout(source: Source) -> CsvLayout:
    """Find the header (after any preamble) and the delimiter, from the first 64 KiB."""
    stream = source.text()
    try:
        sample = stream.read(_SAMPLE)
        complete = sample if len(sample) < _SAMPLE else sample[: sample.rfind("\n") + 1] or sample
    finally:
        _let_go(stream)
    lines = io.StringIO(complete, newline="").readlines()  # split as the reader will
    preamble = _preamble_length(lines)
    body = "".join(lines[preamble:])
    delimiter = _sniff(body, lines[preamble] if preamble < len(lines) else "")
    return CsvLayout(delimiter, preamble)


def _cell_count(line: str, delimiter: str) -> int:
    cells = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
    return sum(1 for cell in cells if cell.strip())


def _preamble_length(lines: list[str]) -> int:
    """Leading lines that hold fewer than two cells whatever the delimiter (LinkedIn's
    `Notes:`, a quoted sentence, a blank line), when a later line looks like a header."""
    for index, line in enumerate(lines[:50]):
        if max(_cell_count(line, d) for d in DELIMITERS) >= 2:
            return index
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    return first  # a one-column file: its first non-blank line is the header


def _sniff(body: str, header_line: str) -> str:
    """csv.Sniffer's delimiter when the header splits into columns with it; else the
    delimiter that splits the header line into the most cells."""
    counts = {d: _cell_count(header_line, d) for d in DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(body, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in counts and counts[sniffed] >= 2:
        return sniffed
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] >= 2 else ","


def read_csv(source: Source) -> tuple[CsvLayout, Iterator[CsvRow]]:
    """The layout with its header read, and the data rows streamed after it."""
    layout = csv_layout(source)
    stream = source.text()
    for _ in range(layout.preamble):  # lines of the 64 KiB sample: bounded
        stream.readline()
    lines = _Lines(stream, layout.preamble)
    reader = csv.reader(lines, delimiter=layout.delimiter)
    try:
        header = next(reader, None)
        if lines.row_done(layout.preamble + reader.line_num):
            raise _RowTooLong
    except (csv.Error, _RowTooLong) as exc:
        _let_go(stream)
        if isinstance(exc, _RowTooLong) or _over_limit(exc):
            raise _too_long(source.label, layout.preamble + 1, "header row") from None
        raise InvalidInput(f"{source.label}, line {layout.preamble + 1}: {exc}") from None
    except UnicodeDecodeError:
        _let_go(stream)
        raise source.undecodable() from None
    if header is None:
        _let_go(stream)
        raise InvalidInput(f"{source.label} has no header row", hint="export it again")
    layout.header = [cell.replace("\ufeff", "").strip() for cell in header]
    layout.header_line = layout.preamble + 1
    return layout, _rows(source, layout, stream, reader, lines)


def _over_limit(exc: csv.Error) -> bool:
    return "field limit" in str(exc)


def _rows(
    source: Source, layout: CsvLayout, stream: io.TextIOWrapper, reader: Reader, lines: _Lines
) -> Iterator[CsvRow]:
    """Data rows with the physical line each starts on; blank lines are left out."""
    try:
        while True:
            start = layout.preamble + reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except _RowTooLong:
                raise _too_long(source.label, start) from None
            except csv.Error as exc:
                if _over_limit(exc):
                    raise _too_long(source.label, start) from None
                raise InvalidInput(f"{source.label}, line {start}: {exc}") from None
            if lines.row_done(layout.preamble + reader.line_num):
                problem = (
                    f"the row is longer than {_size(ROW_LIMIT)}, pcrm's limit for one row"
                    " (not copied to the rejects file)"
                )
                yield CsvRow(start, [], problem)
            elif cells:
                yield CsvRow(start, cells)
    except UnicodeDecodeError:
        raise source.undecodable() from None
    finally:
        _let_go(stream)


# -- vCard -------------------------------------------------------------------------------


@dataclass
class CardText:
    line: int  # physical line of BEGIN:VCARD
    text: str  # the card's lines as in the file, its binary properties left out
    complete: bool = True  # False: the file ended before END:VCARD
    dropped: list[str] = field(default_factory=list)  # binary properties left out
    too_large: bool = False  # over CARD_LIMIT: `text` is empty
    raw: str | None = None  # the whole card as in the file, binary properties included
    raw_too_large: bool = False  # over ROW_LIMIT with its pictures: `raw` is None
    before: list[tuple[int, str]] = field(default_factory=list)  # lines before BEGIN:VCARD
    after: list[tuple[int, str]] = field(default_factory=list)  # after the file's last card


def vcard_texts(source: Source) -> Iterator[CardText]:
    """Cut the file into cards (BEGIN:VCARD ... END:VCARD, nested AGENT cards included),
    so one bad card is rejected with its line number and the others still import.

    A binary property is left out with its folded lines (vCard 2.1's unfolded base64 lines
    too: they hold no colon) before the card is measured; a card still over CARD_LIMIT
    keeps no text, and the rest of it is read line by line up to its END:VCARD. The whole
    card, binary properties included, is kept apart as `raw` while it stays within
    ROW_LIMIT. Non-blank lines before a card are handed to it (`before`), and those after
    the last card to the last card (`after`), so that they are named in a warning rather
    than dropped in silence."""
    with source.reading() as stream:
        card: CardText | None = None
        done: CardText | None = None  # the card read last, yielded when the next ends
        depth, size, lines = 0, 0, []
        raw: list[str] | None = None
        raw_size = 0
        before: list[tuple[int, str]] = []
        skipping = False  # inside a left-out property's value
        for number, (line, whole) in enumerate(_bounded_lines(stream, ROW_LIMIT), start=1):
            if card is None:
                word = line.strip().lstrip("\ufeff").upper() if whole else ""
                if word == "BEGIN:VCARD":
                    card, depth, size, lines = CardText(number, "", before=before), 1, 0, [line]
                    raw, raw_size, before, skipping = [line], len(line), [], False
                    size = len(line)
                elif line.strip():
                    before.append((number, line.strip()[:60]))
                continue
            if raw is not None:
                raw_size += len(line)
                if whole and raw_size <= ROW_LIMIT:
                    raw.append(line)
                else:
                    raw, card.raw_too_large = None, True
            if skipping:  # base64 lines, folded or not, and blank lines among them
                if line[:1] in (" ", "\t") or ":" not in line:
                    continue
                skipping = False
            word = line.strip().upper() if whole else ""
            name = _PROPERTY.match(line)
            if name and name[1].upper() in BINARY_PROPERTIES:
                card.dropped.append(name[1].upper())
                skipping = True
                continue
            if word == "BEGIN:VCARD":
                depth += 1
            elif word == "END:VCARD":
                depth -= 1
            size += len(line)
            if len(line) > CARD_LIMIT or size > CARD_LIMIT:
                card.too_large, lines = True, []
            elif not card.too_large:
                lines.append(line)
            if depth == 0:
                card.text = "".join(lines)
                card.raw = "".join(raw) if raw is not None else None
                if done is not None:
                    yield done
                done, card, raw = card, None, None  # held back for lines after it
        if done is not None:
            done.after = before if card is None else []
            yield done
        if card is not None:
            card.text, card.complete = "".join(lines), False
            card.raw = "".join(raw) if raw is not None else None
            yield card


def card_too_large() -> str:
    return (
        f"the card is larger than {_size(CARD_LIMIT)} (pictures aside), pcrm's limit for"
        " one card (not copied to the rejects file)"
    )
