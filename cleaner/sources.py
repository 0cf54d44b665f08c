"""Inputs of a batch run: files, folders, compressed JSONL and stdin, read as a stream.

A folder is searched recursively for input files, filtered by ``--include`` /
``--exclude`` globs (matched against the path relative to the folder, and
against the file name). JSONL is read one line at a time, also from
``.jsonl.gz`` and ``.jsonl.zst`` files and from stdin (``-``), so memory does
not grow with the input: a record is parsed where it is cleaned (in a worker
process), and a line that is not a JSON object becomes a ``ReadFailure`` for
that record only.
"""

from __future__ import annotations

import codecs
import dataclasses
import fnmatch
import gzip
import io
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cleaner.errors import InputError
from cleaner.model import Article
from cleaner.extract import HTML_SUFFIXES
from cleaner.read import (
    FieldNames,
    ReadFailure,
    article_from_record,
    decode_bytes,
    display_name,
    load_json,
    read_path,
    record_label,
)
from cleaner.sniff import signature_kind

STDIN = "-"
RECORD_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst")
DOCUMENT_SUFFIXES = (".txt", ".json", ".text", ".md", *HTML_SUFFIXES)
INPUT_SUFFIXES = RECORD_SUFFIXES + DOCUMENT_SUFFIXES


def input_suffix(name: str) -> str:
    """The input kind of a file name, compression included ("x.jsonl.gz" → ".jsonl.gz"), or ''.

    >>> input_suffix("day/01.JSONL.zst"), input_suffix("a.txt"), input_suffix("a.gz")
    ('.jsonl.zst', '.txt', '')
    """
    low = name.lower()
    return next((s for s in sorted(INPUT_SUFFIXES, key=len, reverse=True) if low.endswith(s)), "")


def output_stem(name: str) -> str:
    """A file name without its input suffix ("day.jsonl.gz" → "day")."""
    suffix = input_suffix(name)
    return name[: len(name) - len(suffix)] if suffix else Path(name).stem


@dataclass(frozen=True)
class Source:
    """One input: a file, or stdin (``path`` None). ``records``: one article per JSON line."""

    label: str
    path: Path | None
    records: bool

    @property
    def stem(self) -> str:
        return "stdin" if self.path is None else output_stem(display_name(self.path.name))

    @property
    def suffix(self) -> str:
        """The suffix of the cleaned copy: compression dropped, records are written as JSONL."""
        if self.path is None:
            return ".jsonl"
        suffix = input_suffix(self.path.name) or self.path.suffix
        return suffix.removesuffix(".gz").removesuffix(".zst")


def _matches(rel: str, globs: Sequence[str]) -> bool:
    """True if a glob matches the path relative to the folder or any tail of it.

    >>> _matches("2024/drafts/b.jsonl", ["drafts/*"]), _matches("2024/a.jsonl", ["drafts/*"])
    (True, False)
    """
    parts = rel.split("/")
    tails = ["/".join(parts[i:]) for i in range(len(parts))]
    return any(fnmatch.fnmatchcase(tail, g) for g in globs for tail in tails)


def expand_inputs(paths: Sequence[Path | str], include: Sequence[str] = (),
                  exclude: Sequence[str] = ()) -> Iterator[Source | ReadFailure]:
    """The inputs named on the command line: files as given, folders searched recursively.

    ``include`` globs (when given) replace the default suffix filter for folders;
    ``exclude`` globs drop files. Files named explicitly are always taken.
    """
    for raw in paths:
        if str(raw) == STDIN:
            yield Source("<stdin>", None, True)
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _folder_inputs(path, include, exclude)
        elif path.exists():
            yield source_for(path)  # a FIFO named here is read: it may be a shell's <(…)
        else:
            yield ReadFailure(display_name(path), "does not exist")


def _folder_inputs(folder: Path, include: Sequence[str], exclude: Sequence[str]) -> Iterator[Source | ReadFailure]:
    found = []
    for p in sorted(folder.rglob("*")):
        if p.is_dir():
            continue
        rel = p.relative_to(folder).as_posix()
        wanted = _matches(rel, include) if include else bool(input_suffix(p.name))
        if wanted and not _matches(rel, exclude):
            found.append(p)
    if not found:
        what = f"files matching {', '.join(include)}" if include else f"{', '.join(INPUT_SUFFIXES)} files"
        yield ReadFailure(display_name(folder), f"is a folder with no {what}")
    for p in found:
        # Reading a FIFO, socket or device found in a folder could block forever: say so instead.
        kind = _special_kind(p)
        yield source_for(p) if kind is None else ReadFailure(display_name(p), f"is {kind}, not a regular file; "
                                                                             "name it on the command line to read it")


def _special_kind(path: Path) -> str | None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return "a broken symbolic link"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    return "a socket" if stat.S_ISSOCK(mode) else "a device"


def source_for(path: Path) -> Source:
    return Source(display_name(path), path, input_suffix(path.name) in RECORD_SUFFIXES)


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading bytes, decompressing ``.gz`` and ``.zst`` on the fly."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    if name.endswith(".zst"):
        import zstandard  # imported here: only zstd input needs it

        return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True)  # noqa: SIM115
    return open(path, "rb")  # noqa: SIM115


@dataclass(frozen=True)
class RawRecord:
    """One line of a JSONL input, not yet parsed: parsing happens where it is cleaned."""

    source: str
    index: int  # 0-based line number
    data: bytes


# A record line longer than this is not read into memory; its record is reported instead.
MAX_RECORD_BYTES = 64 * 1024 * 1024
_BINARY_HEAD = 8192


def iter_raw_records(source: Source) -> Iterator[RawRecord | ReadFailure]:
    """The non-blank lines of a JSONL input, one at a time (bounded memory).

    An input with no record at all (empty, blank, binary, unreadable) is one
    failure naming the file; a stream that breaks later keeps the records before it.
    """
    try:
        stream = sys.stdin.buffer if source.path is None else open_binary(source.path)
    except OSError as exc:
        yield ReadFailure(source.label, f"cannot be read ({exc.strerror or exc})")
        return
    count = [0, 0]  # lines, non-blank lines
    try:
        yield from _records(source, stream, count)
    except Exception as exc:  # truncated gzip, bad UTF-16, corrupt zstd frame (not an OSError), …  # noqa: BLE001
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        if count[1]:
            yield ReadFailure(source.label, f"could not be read to the end ({reason}); "
                                            f"the {count[1]} records before it were kept")
        else:
            yield ReadFailure(source.label, f"cannot be read ({reason})")
        return
    finally:
        if source.path is not None:
            stream.close()
    if not count[1]:
        state = "has only blank lines" if count[0] else "is empty"
        yield ReadFailure(source.label, f"{state}; there are no records in it")


def _records(source: Source, stream: IO[bytes], count: list[int]) -> Iterator[RawRecord | ReadFailure]:
    reader = io.BufferedReader(stream) if not isinstance(stream, io.BufferedIOBase) else stream  # type: ignore[arg-type]
    head = reader.peek(_BINARY_HEAD)[:_BINARY_HEAD] if hasattr(reader, "peek") else b""
    lines: Iterator[bytes | int] = _bounded_lines(reader)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # UTF-16 cannot be cut at b"\n": decode as a text stream, hand on UTF-8 lines.
        text = io.TextIOWrapper(reader, encoding="utf-16", newline="\n")  # type: ignore[type-var]
        lines = (line.encode("utf-8", errors="surrogatepass") for line in text)
    elif (kind := signature_kind(head) or (None if head.lstrip()[:1] in (b"{", b"[", b"")
                                           or b"\x00" not in head else "binary data (it has NUL bytes)")):
        raise ValueError(f"it is {kind}, not JSONL")
    for index, line in enumerate(lines):
        count[0] += 1
        if isinstance(line, int):
            count[1] += 1
            yield ReadFailure(f"{source.label}:{index + 1}", f"is a line of {line:,} bytes, more than a record may "
                                                             f"have ({MAX_RECORD_BYTES:,}); it is not copied", raw="")
            continue
        if index == 0 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8):]
        if line.strip():
            count[1] += 1
            yield RawRecord(source.label, index, line.rstrip(b"\r\n"))


def _bounded_lines(reader: IO[bytes]) -> Iterator[bytes | int]:
    """The lines of ``reader``; one longer than ``MAX_RECORD_BYTES`` is skipped and given as its length."""
    while line := reader.readline(MAX_RECORD_BYTES + 1):
        if len(line) <= MAX_RECORD_BYTES or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while line and not line.endswith(b"\n"):
            line = reader.readline(1 << 20)
            size += len(line)
        yield size


def parse_record(raw: RawRecord, fields: FieldNames = FieldNames()) -> Article | ReadFailure:
    """Parse one JSONL line into an article; a bad line becomes a failure naming file and line."""
    where = f"{raw.source}:{raw.index + 1}"
    encoding = "utf-8"
    try:
        text = raw.data.decode("utf-8")
    except UnicodeDecodeError:  # one record in another charset: decode it alone, say which in its findings
        try:
            text, encoding = decode_bytes(raw.data, where)
        except InputError as exc:
            return ReadFailure(where, exc.reason, raw=raw.data.decode("utf-8", errors="replace"))
    try:
        record: Any = load_json(text, where, multiline=False)
    except InputError as exc:
        return ReadFailure(where, exc.reason, raw=text)
    label = f"{raw.source}{record_label(record, raw.index, fields)}"
    try:
        article = article_from_record(record, label, fields)
    except InputError as exc:
        return ReadFailure(label, exc.reason, raw=text, record=record)
    return article if encoding == "utf-8" else dataclasses.replace(article, encoding=encoding)


def iter_documents(source: Source, *, has_title: bool, fields: FieldNames) -> Iterator[Article | ReadFailure]:
    """The articles of a text or JSON document (read whole: one file is one article or a few)."""
    assert source.path is not None
    yield from read_path(source.path, has_title=has_title, fields=fields)
