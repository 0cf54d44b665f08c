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
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cleaner.errors import InputError
from cleaner.model import Article
from cleaner.extract import HTML_SUFFIXES
from cleaner.read import FieldNames, ReadFailure, article_from_record, decode_bytes, read_path, record_label

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
        return "stdin" if self.path is None else output_stem(self.path.name)

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
            found = []
            for p in sorted(path.rglob("*")):
                if not p.is_file():
                    continue
                rel = p.relative_to(path).as_posix()
                wanted = _matches(rel, include) if include else bool(input_suffix(p.name))
                if wanted and not _matches(rel, exclude):
                    found.append(p)
            if not found:
                what = f"files matching {', '.join(include)}" if include else f"{', '.join(INPUT_SUFFIXES)} files"
                yield ReadFailure(str(path), f"is a folder with no {what}")
            for p in found:
                yield source_for(p)
        elif path.exists():
            yield source_for(path)
        else:
            yield ReadFailure(str(path), "does not exist")


def source_for(path: Path) -> Source:
    return Source(str(path), path, input_suffix(path.name) in RECORD_SUFFIXES)


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


def iter_raw_records(source: Source) -> Iterator[RawRecord | ReadFailure]:
    """The non-blank lines of a JSONL input, one at a time (bounded memory)."""
    try:
        stream = sys.stdin.buffer if source.path is None else open_binary(source.path)
    except OSError as exc:
        yield ReadFailure(source.label, f"cannot be read ({exc.strerror or exc})")
        return
    try:
        reader = io.BufferedReader(stream) if not isinstance(stream, io.BufferedIOBase) else stream  # type: ignore[arg-type]
        head = reader.peek(4)[:4] if hasattr(reader, "peek") else b""
        lines: Iterator[bytes] = iter(reader)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            # UTF-16 cannot be cut at b"\n": decode as a text stream, hand on UTF-8 lines.
            text = io.TextIOWrapper(reader, encoding="utf-16", newline="\n")  # type: ignore[type-var]
            lines = (line.encode("utf-8", errors="surrogatepass") for line in text)
        for index, line in enumerate(lines):
            if index == 0 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8):]
            if line.strip():
                yield RawRecord(source.label, index, line.rstrip(b"\r\n"))
    except (OSError, EOFError, ValueError) as exc:  # truncated gzip, bad UTF-16, corrupt zstd frame, …
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        yield ReadFailure(source.label, f"could not be read to the end ({reason}); the records before it were kept")
    except Exception as exc:  # zstandard.ZstdError is not an OSError  # noqa: BLE001
        yield ReadFailure(source.label, f"could not be read to the end ({type(exc).__name__}: {exc}); "
                                        "the records before it were kept")
    finally:
        if source.path is not None:
            stream.close()


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
        record: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        return ReadFailure(where, f"is not valid JSON ({exc.msg} at column {exc.colno})", raw=text)
    except RecursionError:
        return ReadFailure(where, "is JSON nested too deeply to read", raw=text)
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
