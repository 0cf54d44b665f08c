"""Read stage: bytes on disk (or scraper records) become ``Article`` values.

Plain text: the first non-blank line is the title (unless ``has_title=False``),
blank lines separate paragraphs. JSON / JSONL: one article per record, the text
field is the body only. Bytes are decoded as UTF-8 first, then with a detected
charset; undecodable input becomes an ``InputError`` naming the file, never a crash.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ftfy.bad_codecs  # noqa: F401  (registers utf-8-variants)
from charset_normalizer import from_bytes

from cleaner.errors import InputError, json_error_place
from cleaner.extract import HTML_SUFFIXES, extract_article
from cleaner.model import Article, Span
from cleaner.sniff import mostly_utf8, signature_kind, utf16_without_bom

# Far beyond any news article (a long read is ~100,000 characters); larger inputs are dumps or
# concatenations, and the checks' cost grows faster than linearly with size.
MAX_ARTICLE_CHARS = 2_000_000
NO_ARTICLE = "there is no article in it"


@dataclass(frozen=True)
class FieldNames:
    """Which record fields hold what; the first present name wins."""

    text: tuple[str, ...] = ("text", "content", "body", "article", "articleBody")
    title: tuple[str, ...] = ("title", "headline")
    author: tuple[str, ...] = ("author", "byline", "authors")
    url: tuple[str, ...] = ("url", "link", "source_url")
    date: tuple[str, ...] = ("date", "published", "date_published", "published_at")
    id: tuple[str, ...] = ("id", "doc_id", "uuid")


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode ``data`` to text, returning ``(text, encoding)``.

    >>> decode_bytes("Café".encode("cp1252"), "x.txt")
    ('Café', 'cp1252')
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise InputError(source, f"starts with a {name} byte-order mark but is not valid {name} ({exc.reason})") from exc
    kind = signature_kind(data)
    if kind is not None:
        raise InputError(source, f"is binary, not text ({kind}); give a text, JSON or JSONL file")
    utf16 = utf16_without_bom(data) if b"\x00" in data[:8192] else None
    if utf16 is not None:  # ASCII in UTF-16 is also valid UTF-8 (with NULs): look for it first
        return data.decode(utf16), utf16
    for name in ("utf-8", "utf-8-variants"):  # the second: CESU-8, Java's "modified UTF-8" (emoji as two halves)
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise InputError(source, "is binary, not text (it has NUL bytes or too many control bytes); give a text, JSON or JSONL file")
    if mostly_utf8(data):
        # A few damaged bytes in UTF-8 text: a code-page guess would garble every other
        # character, so only the bad bytes become U+FFFD (flagged as leftover mojibake).
        return data.decode("utf-8", errors="replace"), "utf-8"
    results = from_bytes(data, cp_exclusion=_NEVER_GUESS)
    guess = results.best()
    if guess is None or guess.encoding is None:
        raise InputError(source, "is not UTF-8 and its character set could not be detected; convert it to UTF-8")
    windows = next((m for m in results if "cp1252" in (m.encoding, *m.could_be_from_charset)), None)
    if windows is not None and windows.chaos <= guess.chaos + 0.01:
        encoding = "cp1252"  # a tie on a short text: the web's legacy default wins
    else:
        encoding = _prefer_windows_1252(guess.encoding, data)
    return data.decode(encoding, errors="replace"), encoding


# Without a BOM these are guesses about binary noise, not about web pages.
_NEVER_GUESS = ["utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le", "utf_7",
                "cp037", "cp273", "cp500", "cp875", "cp1026", "cp1140"]
# Code pages a detector cannot tell apart on a short Western text.
_WESTERN = {"cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_9", "iso8859_15",
            "iso8859_16", "mac_roman", "mac_latin2", "cp850", "cp437", "cp858"}


def _prefer_windows_1252(encoding: str, data: bytes) -> str:
    # Legacy scraped Western text is nearly always Windows-1252 (curly quotes in 0x80-0x9f);
    # detectors flip between its neighbours on short texts.
    if encoding.replace("-", "_").lower() not in _WESTERN:
        return encoding
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return encoding
    return "cp1252"


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and control / len(sample) > 0.1


def display_name(path: Path | str) -> str:
    """A path as messages and reports show it: bytes that are not UTF-8 escaped (``bad\\xff.txt``).

    >>> display_name(os.fsdecode(b"bad\\xff.txt"))
    'bad\\\\xff.txt'
    """
    return os.fsencode(str(path)).decode("utf-8", errors="backslashreplace")


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def article_from_text(text: str, source: str, *, has_title: bool = True, encoding: str = "utf-8") -> Article:
    """Build an article from plain text; the first non-blank line is the title when ``has_title``."""
    _check_size(text, source, "it")
    title, span, body_start = None, None, 0
    if has_title:
        pos = 0
        for line in text.splitlines(keepends=True):
            stripped = line.strip()
            if stripped:
                lead = len(line) - len(line.lstrip())
                start = pos + lead
                title, span = stripped, Span(start, start + len(stripped))
                body_start = pos + len(line)
                break
            pos += len(line)
    return Article(source=source, text=text, title=title, title_span=span, body_start=body_start,
                   encoding=encoding, sha256=sha256_of(text))


def _check_size(text: str, source: str, what: str) -> None:
    if len(text) > MAX_ARTICLE_CHARS:
        raise InputError(source, f"{what} is {len(text):,} characters, too large for one article (the limit is "
                                 f"{MAX_ARTICLE_CHARS:,}); split it, or check what was scraped")


def _first(record: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str | None, Any]:
    for name in names:
        if name in record and record[name] not in (None, ""):
            return name, record[name]
    return None, None


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v)
    return str(value)


def article_from_record(record: Any, source: str, fields: FieldNames = FieldNames()) -> Article:
    """Build an article from one scraper record (a JSON object)."""
    if not isinstance(record, dict):
        raise InputError(source, f"is a JSON {type(record).__name__}, not an object with a text field")
    name, text = _first(record, fields.text)
    if name is None:
        from cleaner.extract import HTML_FIELDS, article_from_html_record  # extract imports this module

        html_name, _ = _first(record, HTML_FIELDS)
        if html_name is not None:  # a scraped page instead of its text: extract it
            return article_from_html_record(record, source, html_name, fields)
        blank = next((n for n in fields.text if n in record), None)
        if blank is not None:  # the field is there, but null or ""
            state = "null" if record[blank] is None else "empty"
            raise InputError(source, f"field '{blank}' is {state}; {NO_ARTICLE}")
        raise InputError(source, f"has no text field (looked for {', '.join(fields.text + HTML_FIELDS)}); "
                                 "name it with --text-field")
    if not isinstance(text, str):
        raise InputError(source, f"field '{name}' is a JSON {type(text).__name__}, not a string")
    if not text.strip():
        raise InputError(source, f"field '{name}' has only whitespace; {NO_ARTICLE}")
    _check_size(text, source, f"field '{name}'")
    return Article(
        source=source, text=text, title=_as_text(_first(record, fields.title)[1]),
        author=_as_text(_first(record, fields.author)[1]), url=_as_text(_first(record, fields.url)[1]),
        date=_as_text(_first(record, fields.date)[1]), sha256=sha256_of(text), record=record, text_field=name,
    )


def record_label(record: Any, index: int, fields: FieldNames = FieldNames()) -> str:
    """How a record is named in messages: its id when it has one, else its 1-based line number."""
    if isinstance(record, dict):
        _, rid = _first(record, fields.id)
        if rid is not None:
            return f"#{rid}"
    return f":{index + 1}"


@dataclass(frozen=True)
class ReadFailure:
    """A file or record that could not be read; the batch goes on without it."""

    source: str
    reason: str
    raw: str | None = None  # the record's line, for JSONL output that keeps every record
    record: Any = None

    @property
    def message(self) -> str:
        return f"{self.source}: {self.reason}"


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def load_json(text: str, source: str, *, multiline: bool = True) -> Any:
    """``json.loads``, with every way it can fail as an ``InputError`` naming the place.

    A lone surrogate escape (``"\\ud800"``) is not a character and cannot be written
    out as UTF-8: it becomes U+FFFD, as an invalid UTF-8 byte does.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}" if multiline else f"column {exc.colno}"
        raise InputError(source, f"is not valid JSON ({json_error_place(exc, where)})") from None
    except RecursionError:
        raise InputError(source, "is JSON nested too deeply to read") from None
    except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        digits = re.search(r"has (\d+) digits", str(exc))
        raise InputError(source, f"has an integer of {digits.group(1) if digits else 'too many'} digits, more "
                                 f"than the {sys.get_int_max_str_digits()} cleaner reads") from None
    return _scrub(value) if _SURROGATE_ESCAPE.search(text) else value


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    return value


def read_path(path: Path, *, has_title: bool = True, fields: FieldNames = FieldNames()) -> Iterator[Article | ReadFailure]:
    """Yield the articles in one file: one for ``.txt``, one per record for ``.json``/``.jsonl``."""
    source = display_name(path)
    suffix = path.suffix.lower()
    try:
        text, encoding = _read_text(path, source, whole_file=suffix in (".json", ".jsonl"))
        if suffix in HTML_SUFFIXES:
            yield extract_article(text, source, encoding=encoding)
        elif suffix == ".jsonl":
            yield from _read_jsonl(text, source, fields)
        elif suffix == ".json":
            yield from _read_json(text, source, fields)
        else:
            yield article_from_text(text, source, has_title=has_title, encoding=encoding)
    except InputError as exc:
        yield ReadFailure(source, exc.reason)


def _read_text(path: Path, source: str, *, whole_file: bool) -> tuple[str, str]:
    """The decoded text of a file; empty, blank, unreadable or oversized files are an ``InputError``."""
    try:
        size = path.stat().st_size
        if not whole_file and size > 4 * MAX_ARTICLE_CHARS:  # 4: the most bytes a character takes
            raise InputError(source, f"is {size:,} bytes, too large for one article (the limit is "
                                     f"{MAX_ARTICLE_CHARS:,} characters); split it, or check what was scraped")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(source, f"cannot be read ({exc.strerror or exc})") from None
    if not data:
        raise InputError(source, f"is empty (0 bytes); {NO_ARTICLE}")
    text, encoding = decode_bytes(data, source)
    if not text.strip():
        raise InputError(source, f"has only whitespace; {NO_ARTICLE}")
    return text, encoding


def _read_jsonl(text: str, source: str, fields: FieldNames) -> Iterator[Article | ReadFailure]:
    # Records end at "\n" only: str.splitlines() would also cut at U+2028, U+0085 and
    # other characters that JSON strings may hold unescaped.
    for index, line in enumerate(text.split("\n")):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            record = load_json(line, f"{source}:{index + 1}", multiline=False)
        except InputError as exc:
            yield ReadFailure(exc.source, exc.reason, raw=line)
            continue
        label = f"{source}{record_label(record, index, fields)}"
        try:
            yield article_from_record(record, label, fields)
        except InputError as exc:
            yield ReadFailure(label, exc.reason, raw=line, record=record)


def _read_json(text: str, source: str, fields: FieldNames) -> Iterator[Article | ReadFailure]:
    data = load_json(text, source)
    records = data if isinstance(data, list) else [data]
    if not records:
        raise InputError(source, f"is an empty JSON list; {NO_ARTICLE}")
    for index, record in enumerate(records):
        label = source if len(records) == 1 else f"{source}{record_label(record, index, fields)}"
        try:
            yield article_from_record(record, label, fields)
        except InputError as exc:
            yield ReadFailure(label, exc.reason, record=record)
