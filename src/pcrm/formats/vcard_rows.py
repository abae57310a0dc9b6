"""One vCard (2.1, 3.0 or 4.0) as the contact it describes (not yet validated).

Cards are read line by line here, not through vobject, whose reading does not fit real
files (docs/import-export.md, "vCard"): its text behaviour keeps a value only up to its
first unescaped comma (vCard 2.1 escapes none: `FN:Doe, John` became "Doe"), ORG became a
list, QUOTED-PRINTABLE soft line breaks were not joined unless asked, an unknown CHARSET
raised, a PROFILE line rejected the card, and the lines it could not read were logged to
the terminal. What this reader does instead:

- lines are unfolded (a leading space or tab continues the line before), and a
  QUOTED-PRINTABLE value's soft line breaks (`=` at the end of a line) are joined;
- QUOTED-PRINTABLE is decoded with quopri, and the bytes with the property's CHARSET
  (codecs); an 8-bit value with a CHARSET other than the file's is decoded with it;
- text values (FN, TITLE, NOTE, NICKNAME...) are taken whole, their escapes (`\\,` `\\;`
  `\\n` `\\\\`, Apple's `\\:` and Gmail's `\\"`) undone; N, ADR and ORG are cut at
  unescaped `;` only;
- vCard 2.1's bare parameters (`TEL;WORK;VOICE:`) are types, like TYPE=;
- a value it cannot decode, a line it cannot read, a second ORG or TITLE: a warning on the
  card (parsed.warnings), the value kept in the note where it can be.

Values stay as written otherwise; core/importing/importer.py validates them.
"""

from __future__ import annotations

import base64
import codecs
import quopri
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from pcrm.core.importing.models import ParsedContact
from pcrm.core.people.models import Address
from pcrm.formats.contact_file import ROW_LIMIT, CardText, MiB, card_too_large
from pcrm.formats.vcard import READ_PROPERTIES

_NEWLINE = re.compile(r"\r\n|\r|\n")
# group.NAME;params:value: a parameter value may be quoted (and hold ; or :).
_LINE = re.compile(
    r"\s*(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9_-]+)\s*((?:;(?:[^\";:]|\"[^\"]*\")*)*):(.*)", re.S
)
_PARAM = re.compile(r';((?:[^";]|"[^"]*")*)')
_PARAM_VALUE = re.compile(r'"([^"]*)"|([^,]+)')
# RFC 6350's escapes, Apple's `\:` and Gmail's `\"` (its notes escape double quotes).
_ESCAPE = re.compile(r'\\([\\,;:"nN])')
_ENCODINGS = {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}
# TYPE values that say nothing a label should show.
_NO_LABEL = {"internet", "pref", "voice", "x400", "x-internet", "other-internet", "text"}
_NO_LABEL |= {"msg", "video"}  # what a number can do, not which one it is
_ADR_NO_LABEL = {"dom", "intl", "postal", "parcel"}
_TYPE_LABELS = {"cell": "mobile", "iphone": "mobile", "cellular": "mobile"}
# Google's system group, which its vCards list as a category: not one of the user's tags.
_SYSTEM_GROUPS = {"myContacts", "My Contacts"}
_ANNIVERSARIES = {
    "ANNIVERSARY",  # vCard 4
    "X-ANNIVERSARY",  # pcrm's vCard 3, KDE, others
    "X-EVOLUTION-ANNIVERSARY",
    "X-MS-ANNIVERSARY",
    "X-KADDRESSBOOK-X-ANNIVERSARY",
}
# Properties of which a card holds one: the first wins, a different second value is kept
# in the note with a warning.
_SINGLE = {
    "ORG": "company",
    "TITLE": "title",
    "BDAY": "birthday",
    "UID": "uid",
    "X-PCRM-SOURCE": "source",
    "X-PCRM-CADENCE": "cadence",
    "X-PCRM-STAGE": "stage",
}
_UTF = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32")
_SHOWN = 60  # characters of a value quoted in a warning


@dataclass(frozen=True)
class _Params:
    """A property's parameters: TYPE values (vCard 2.1's bare ones included), lowercased,
    and the others by upper-case name."""

    types: tuple[str, ...]
    named: dict[str, tuple[str, ...]]
    quoted_printable: bool
    charset: str | None
    base64: bool = False  # a text value in base64 (ENCODING=b): rare, but seen

    def get(self, name: str) -> str | None:
        values = self.named.get(name)
        return values[0] if values else None


@lru_cache(maxsize=1024)  # a file repeats a handful of parameter lists on every card
def _params(text: str) -> _Params:
    types: list[str] = []
    named: dict[str, list[str]] = {}
    for param in _PARAM.findall(text):
        key, equals, rest = param.partition("=")
        key = key.strip().upper()
        if not equals:
            if key in _ENCODINGS:
                named.setdefault("ENCODING", []).append(key)
            elif key:
                types.append(key.lower())
            continue
        values = [(q or p).strip() for q, p in _PARAM_VALUE.findall(rest)]
        if key == "TYPE":
            types.extend(v.lower() for value in values for v in value.split(",") if v.strip())
        else:
            named.setdefault(key, []).extend(values)
    encodings = {value.upper() for value in named.get("ENCODING", [])}
    charset = named.get("CHARSET", [None])[0]
    return _Params(
        tuple(t.strip() for t in types),
        {key: tuple(values) for key, values in named.items()},
        "QUOTED-PRINTABLE" in encodings,
        charset or None,
        bool(encodings & {"B", "BASE64"}),
    )


def _logical_lines(text: str) -> list[str]:
    """Unfold the card's lines; join QUOTED-PRINTABLE soft line breaks (a QP value's line
    ending in `=` goes on with the next line, which has no leading space in vCard 2.1)."""
    result: list[str] = []
    soft = False  # the line before was a QP line ending with "="
    for line in _NEWLINE.split(text):
        if soft and line.strip().upper() != "END:VCARD":
            result[-1] = result[-1][:-1] + line
            soft = line.endswith("=")
            continue
        soft = False
        if line[:1] in (" ", "\t") and result:
            result[-1] += line[1:]
        elif not line.strip():
            continue
        else:
            result.append(line)
        last = result[-1]
        if last.endswith("=") and "QUOTED-PRINTABLE" in last.partition(":")[0].upper():
            soft = True
    return result


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: "\n" if m[1] in "nN" else m[1], text)


def _split(text: str, separator: str) -> list[str]:
    """Cut at each unescaped `separator`; the pieces keep their escapes."""
    if "\\" not in text:
        return text.split(separator)
    pieces, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    pieces.append("".join(current))
    return pieces


def _shown(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= _SHOWN else value[: _SHOWN - 3] + "..."


def _codec_shown(codec: str) -> str:
    """Python's codec name as people know it: "cp1252" -> "Windows-1252"."""
    name = codecs.lookup(codec).name
    if name.startswith("cp125"):
        return "Windows-" + name[2:]
    return {"utf-8": "UTF-8", "latin-1": "ISO-8859-1"}.get(name, name.upper())


def _label(text: str | None) -> str | None:
    """Apple's `_$!<Mobile>!$_` and Google's "* Work" -> "mobile", "work"."""
    if not text:
        return None
    if text.startswith("_$!<") and text.endswith(">!$_"):
        text = text[4:-4]
    label = " ".join(text.strip().lstrip("*").split()).lower()
    return None if not label or label in _NO_LABEL else _TYPE_LABELS.get(label, label)


def _type_label(types: tuple[str, ...], skip: frozenset[str] = frozenset()) -> str | None:
    for word in types:
        if word and word not in _NO_LABEL and word not in skip and word != "fax":
            return _TYPE_LABELS.get(word, word)
    return None


class VcardMapper:
    """Turns cards into contacts; counts the properties that have nowhere to go."""

    def __init__(self, codec: str = "utf-8") -> None:
        self.unmapped_counts: Counter[str] = Counter()
        # the file's codec: 8-bit values with another CHARSET are re-read with theirs
        self.codec = codec
        self.legacy = codecs.lookup(codec).name not in _UTF

    def contact(self, card: CardText) -> ParsedContact:
        parsed = self._contact(card)
        for name in card.dropped:  # left out before parsing: counted as if parsed
            self.unmapped_counts[name] += 1
        if card.before:
            number, text = card.before[0]
            more = f" and {len(card.before) - 1} more" if len(card.before) > 1 else ""
            parsed.warnings.append(
                f'line {number}: left out "{_shown(text)}"{more}, before BEGIN:VCARD'
            )
        if card.after:
            number, text = card.after[0]
            more = f" and {len(card.after) - 1} more" if len(card.after) > 1 else ""
            parsed.warnings.append(
                f'line {number}: left out "{_shown(text)}"{more}, after the last END:VCARD'
            )
        if card.raw_too_large and card.dropped and not card.too_large:
            parsed.warnings.append(
                f"the card is larger than {ROW_LIMIT // MiB} MiB with its pictures: its "
                f"{', '.join(sorted(set(card.dropped)))} not kept"
            )
        return parsed

    def _contact(self, card: CardText) -> ParsedContact:
        parsed = ParsedContact(card.line, card.text)
        if card.too_large:
            parsed.problem = card_too_large()
            return parsed
        if not card.complete:
            parsed.problem = "the card has no END:VCARD"
            return parsed
        parsed.vcard = card.raw
        _CardReader(self, parsed).read(_logical_lines(card.text))
        return parsed


class _CardReader:
    """Reads one card's logical lines into its ParsedContact."""

    def __init__(self, mapper: VcardMapper, parsed: ParsedContact) -> None:
        self.mapper = mapper
        self.parsed = parsed
        self.depth = 0  # BEGIN:VCARD lines seen (an AGENT's nested card: depth 2)
        self.group_labels: dict[str, str] = {}
        self.names: list[str] = []  # N's parts, when there is no FN
        self.notes: list[str] = []
        self.extra: list[str] = []  # second values of single properties
        self.nicknames: list[str] = []
        self.file_as: str | None = None  # X-EVOLUTION-FILE-AS, a name when FN and N are empty
        self.altids: dict[str, str] = {}  # property -> ALTID of the value kept

    def read(self, lines: list[str]) -> None:
        """Read the card's logical lines: Apple's labels (`item1.X-ABLabel`) first, since
        they may come after the property they label; then the properties in order."""
        properties: list[tuple[str | None, str, _Params, str]] = []
        for line in lines:
            match = _LINE.match(line)
            if match is None:
                self.parsed.warnings.append(
                    f'left out a line that is not a property: "{_shown(line)}"'
                )
                continue
            group, name, params_text, value = match.groups()
            name = name.upper().replace("_", "-")
            if name in ("BEGIN", "END"):
                self.depth += 1 if name == "BEGIN" else -1
                if name == "BEGIN" and self.depth == 2:
                    self._unmapped("AGENT", "a nested card")
                continue
            if self.depth > 1:  # inside an AGENT's nested card
                continue
            params = _params(params_text) if params_text else _NO_PARAMS
            group = group.lower() if group else None
            if name == "X-ABLABEL" and group:
                self.group_labels[group] = self._text(name, params, value)
                continue
            properties.append((group, name, params, value))
        labels = self.group_labels
        for group, name, params, value in properties:
            self._property(name, params, value, labels.get(group) if group else None)
        self._finish()

    def _finish(self) -> None:
        parsed = self.parsed
        if not parsed.name and self.names:
            parsed.name = " ".join(" ".join(self.names).split()) or None
        if not parsed.name and self.file_as:  # Evolution's "file as": its display name
            parsed.name = self.file_as
        if self.nicknames:
            parsed.nickname = ", ".join(dict.fromkeys(self.nicknames))
        notes = self.notes + self.extra
        parsed.note = "\n\n".join(notes) or None

    # -- values --------------------------------------------------------------------

    def _decode(self, name: str, params: _Params, value: str) -> str:
        """The value as text: QUOTED-PRINTABLE and CHARSET undone (escapes kept)."""
        charset = params.charset
        if params.base64:
            try:
                data = base64.b64decode(value.replace(" ", ""), validate=True)
            except ValueError:
                self.parsed.warnings.append(
                    f'{name} is marked base64 but is not: kept as written "{_shown(value)}"'
                )
                return value
            return self._charset(name, data, charset, value)
        if not params.quoted_printable:
            if charset is None or not self.mapper.legacy or value.isascii():
                return value
            try:
                data = value.encode(self.mapper.codec)
            except UnicodeEncodeError:
                return value
            return self._charset(name, data, charset, value)
        if value.isascii():
            data = value.encode("ascii")
        else:  # 8-bit bytes inside a QP value: as the file has them
            data = value.encode(self.mapper.codec if self.mapper.legacy else "utf-8", "replace")
        data = quopri.decodestring(data)
        text = self._charset(name, data, charset, value)
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def _charset(self, name: str, data: bytes, charset: str | None, shown: str) -> str:
        codec = charset or "utf-8"
        try:
            codecs.lookup(codec)
        except LookupError:
            fallback = self.mapper.codec if self.mapper.legacy else "utf-8"
            text = data.decode(fallback, "replace")
            self.parsed.warnings.append(
                f'{name} "{_shown(text)}": unknown charset "{charset}", read as'
                f" {_codec_shown(fallback)}"
            )
            return text
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            if charset is None:  # no CHARSET, not UTF-8: the file's code page, or Windows'
                fallback = self.mapper.codec if self.mapper.legacy else "cp1252"
                text = data.decode(fallback, "replace")
                self.parsed.warnings.append(
                    f'{name} "{_shown(text)}": no CHARSET and not UTF-8, read as'
                    f" {_codec_shown(fallback)}"
                )
                return text
            text = data.decode(codec, "replace")
            self.parsed.warnings.append(
                f'{name} "{_shown(text)}": bytes that are not {_codec_shown(codec)}'
                ' replaced with "\ufffd"'
            )
            return text

    def _text(self, name: str, params: _Params, value: str) -> str:
        return _unescape(self._decode(name, params, value)).strip()

    def _parts(self, name: str, params: _Params, value: str) -> list[str]:
        decoded = self._decode(name, params, value)
        return [_unescape(part).strip() for part in _split(decoded, ";")]

    def _unmapped(self, name: str, text: str) -> None:
        self.parsed.unmapped.append((name, " ".join(text.split())))
        self.mapper.unmapped_counts[name] += 1

    def _single(self, name: str, text: str, params: _Params) -> None:
        """ORG, TITLE, BDAY...: the first value wins; another is kept in the note (but not
        vCard 4's alternative forms of the same value: the same ALTID)."""
        attribute = _SINGLE[name]
        current = getattr(self.parsed, attribute)
        altid = params.get("ALTID")
        if current is None:
            setattr(self.parsed, attribute, text)
            if altid:
                self.altids[name] = altid
        elif current != text and not (altid and self.altids.get(name) == altid):
            self.extra.append(f"{name}: {text}")
            self.parsed.warnings.append(
                f'a second {name} "{_shown(text)}" kept in the note ("{_shown(current)}" is'
                f" the {attribute})"
            )

    # -- properties ----------------------------------------------------------------

    def _property(self, name: str, params: _Params, value: str, label: str | None) -> None:
        parsed = self.parsed
        if name == "FN":
            text = " ".join(self._text(name, params, value).split())
            altid = params.get("ALTID")
            if text and not parsed.name:
                parsed.name = text
                self.altids["FN"] = altid or ""
            elif text and text != parsed.name and not (altid and self.altids["FN"] == altid):
                self.extra.append(f"FN: {text}")
                parsed.warnings.append(f'a second FN "{_shown(text)}" kept in the note')
        elif name == "X-EVOLUTION-FILE-AS":
            self.file_as = " ".join(self._text(name, params, value).split()) or None
        elif name == "N":
            parts = self._parts(name, params, value)
            if not self.names:  # given, additional, family, suffix (the prefix left out)
                order = (1, 2, 0, 4)
                words = (parts[i].replace(",", " ") for i in order if i < len(parts))
                self.names = [word for word in words if word.strip()]
        elif name == "EMAIL":
            text = self._text(name, params, value)
            if text[:7].lower() == "mailto:":
                text = text[7:].strip()
            if text:
                parsed.emails.append((_label(label) or _type_label(params.types), text))
        elif name == "TEL":
            self._tel(params, value, label)
        elif name == "ADR":
            self._adr(params, value, label)
        elif name in ("URL", "X-SOCIALPROFILE"):
            text = self._text(name, params, value)
            if text:
                parsed.urls.append((_label(label) or _type_label(params.types), text))
        elif name == "ORG":
            parts = [part for part in self._parts(name, params, value) if part]
            if parts:
                self._single(name, parts[0], params)
        elif name in _SINGLE:
            text = self._text(name, params, value)
            if name == "UID":
                text = text.removeprefix("urn:uuid:")
            if text:
                self._single(name, text, params)
        elif name == "NOTE":
            text = self._text(name, params, value)
            if text:
                self.notes.append(text)
        elif name == "NICKNAME":
            text = self._text(name, params, value)
            if text:
                self.nicknames.append(text)
        elif name in _ANNIVERSARIES or (name == "X-ABDATE" and _label(label) == "anniversary"):
            text = self._text(name, params, value)
            if text and parsed.anniversary is None:
                parsed.anniversary = text
            elif text and text != parsed.anniversary:
                self.extra.append(f"{name}: {text}")
                parsed.warnings.append(f'a second anniversary "{_shown(text)}" kept in the note')
        elif name == "X-PCRM-FIELD" and params.get("X-NAME"):
            parsed.fields.setdefault(params.get("X-NAME") or "", self._text(name, params, value))
        elif name == "CATEGORIES":
            decoded = self._decode(name, params, value)
            tags = (_unescape(tag).strip() for tag in _split(decoded, ","))
            parsed.tags.extend(tag for tag in tags if tag and tag not in _SYSTEM_GROUPS)
        elif name not in READ_PROPERTIES:
            if params.base64:  # binary, most likely (kept in the raw card, never decoded)
                self._unmapped(name, f"(base64, {len(value)} characters)")
                return
            text = self._text(name, params, value)
            if text:
                self._unmapped(name, text)

    def _tel(self, params: _Params, value: str, label: str | None) -> None:
        text = self._text("TEL", params, value)
        if text[:4].lower() == "tel:":  # vCard 4: VALUE=uri
            text = text[4:].strip()
            number, _, extension = text.partition(";ext=")
            text = f"{number} ext. {extension}" if extension else number
        if not text:
            return
        shown = _label(label)
        fax = "fax" in params.types or (shown is not None and "fax" in shown)
        if shown is None:
            shown = _type_label(params.types)
        elif fax:
            shown = shown.replace("fax", "").strip() or None
        (self.parsed.faxes if fax else self.parsed.phones).append((shown, text))

    def _adr(self, params: _Params, value: str, label: str | None) -> None:
        parts = self._parts("ADR", params, value) + [""] * 7
        street = "\n".join(part for part in parts[:3] if part)
        locality, region, postcode, country = parts[3:7]
        if not (street or locality or region or postcode or country):
            return
        shown = _label(label) or _type_label(params.types, frozenset(_ADR_NO_LABEL))
        self.parsed.addresses.append(
            Address(
                shown,
                street or None,
                locality or None,
                region or None,
                postcode or None,
                country or None,
            )
        )


_NO_PARAMS = _Params((), {}, False, None)
