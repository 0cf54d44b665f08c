"""A corpus of bad and hostile inputs, each with the outcome cleaner must give.

Every case is built in code from real article text: mojibake by mis-decoding the
UTF-8 bytes with each code page ftfy knows how to undo, other encodings by
encoding the text, binary files from their real signatures, broken JSON and
JSONL by cutting or corrupting good records.

Outcomes:
  processed      cleaned, with findings (``rules``) where the input is damaged;
  skipped        not cleaned: one line on stderr names the file and says why;
  record-errors  a record file: ``records`` cleaned and ``errors`` records reported
                 and kept in place in the output, each with a message.

Run standalone: ``python tests/hostile/gen_inputs.py DEST`` writes the corpus
to DEST and prints one line per case.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs ftfy undoes)

TITLE = "Council approves next year’s budget"
PARAGRAPHS = (
    "WILMINGTON, Del. (AP) — The city council met on Tuesday and approved next year’s budget "
    "after a long debate about the “temporary” tax.",
    "Members said the new café on Main Street, run by a family from São Paulo, would bring jobs "
    "to the area, and the mayor’s résumé from Zürich came up again.",
    "The vote was five to two. The budget takes effect in July.",
)
ARTICLE = TITLE + "\n\n" + "\n\n".join(PARAGRAPHS) + "\n"
# Text every legacy Western code page (Latin-1 included) can encode.
LATIN1_ARTICLE = ("Zoë and José met in Kraków\n\nThe café in São Paulo raised prices by ½ on Monday, "
                  "and the shop in Zürich said «no» to the plan at 5 °C.\n")
CYRILLIC_ARTICLE = ("Совет утвердил бюджет\n\n"
                    "Депутаты городского совета во вторник утвердили бюджет на следующий год.\n")
GOOD_TEXT = "The council met on Tuesday and approved the budget. The vote was five to two."
BIG_FILE_BYTES = 50 * 1024 * 1024
LONG_LINE_CHARS = 1_000_000
MOJIBAKE = "encoding.mojibake"


@dataclass(frozen=True)
class InputCase:
    """One input and the outcome it must give (see the module docstring)."""

    name: str
    path: str  # relative to the corpus folder; os.fsdecode form for a name that is not UTF-8
    outcome: str  # processed | skipped | record-errors
    message: str = ""  # a fragment of the one-line message (skipped) or of every record message
    records: int = 1  # articles cleaned
    errors: int = 0  # records or files reported as unreadable
    rules: tuple[str, ...] = ()  # finding rule ids that must be among the findings
    decoded: str | None = None  # what the input must decode to, when it is one article
    contains: str | None = None  # text the cleaned copy must contain (a repair was made)
    messages: tuple[str, ...] = ()  # fragments, one per bad record, each on its own line
    large: bool = False  # the expensive cases, kept efficient but always run
    kind: str = "file"  # file | fifo | dir
    truncated: bool = False  # a compressed stream cut short: one error is the file's, not a record's

    @property
    def output_records(self) -> int:
        """Lines of the cleaned JSONL: one per input record, cleaned or not."""
        return self.records + self.errors - self.truncated


Writer = Callable[[Path], None]


def _bytes(data: bytes) -> Writer:
    return lambda p: p.write_bytes(data)


def _mojibake(text: str, *encodings: str) -> str:
    """``text`` as a program that decoded its UTF-8 bytes with each of ``encodings`` in turn shows it."""
    for encoding in encodings:
        text = text.encode("utf-8").decode(encoding)
    return text


def _png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _pdf() -> bytes:
    """A one-page PDF whose only stream is compressed, as PDF writers do."""
    stream = zlib.compress(b"BT /F1 24 Tf 72 720 Td (Council approves the budget) Tj ET")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    for number, body in enumerate(objects, 1):
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _record(text: object, **extra: object) -> bytes:
    return json.dumps({**extra, "title": "Budget vote", "text": text}, ensure_ascii=False).encode("utf-8")


def _good(n: int) -> bytes:
    return _record(f"{GOOD_TEXT} Record {n}.", id=f"r{n}")


def _jsonl_mixed() -> bytes:
    lines = [
        _good(1),
        b"",  # blank lines are not records
        _good(2)[:30],  # a truncated object
        b"[1, 2, 3]",  # not an object
        _record("Le caf\xe9 a ouvert mardi. La mairie a vot\xe9 le budget.", id="latin1")
        .replace("\xe9".encode(), b"\xe9"),  # one record in Latin-1: decoded on its own
        b'{"id": "bin", "text": "\x00\x01\x02\xff\xfe\x00"}',  # binary garbage in a line
        b'{"id": "huge", "n": ' + b"9" * 5000 + b', "text": "' + GOOD_TEXT.encode() + b'"}',
        b"   \t",
        _good(3),
        b'{"id": "deep", "text": "x", "meta": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        _good(4) + b"\r",  # a CRLF line
        _good(5),
    ]
    return b"\n".join(lines) + b"\n"


def _jsonl_fields() -> bytes:
    lines = [
        _record(42, id="number"), _record(["a", "b"], id="list"), _record(None, id="null"),
        _record({"p": "x"}, id="object"), _record(True, id="bool"), _record("", id="empty"),
        _record("  \n\t ", id="blank"), json.dumps({"id": "none", "title": "No text here"}).encode(),
        _good(1),
    ]
    return b"\n".join(lines) + b"\n"


def _truncated_gz() -> bytes:
    body = b"".join(_record(f"{GOOD_TEXT} " * 20 + f"Record {n}.", id=f"g{n}") + b"\n" for n in range(60))
    data = gzip.compress(body, mtime=0)
    return data[: len(data) // 2]


def complete_gz_lines(data: bytes) -> int:
    """How many whole lines a truncated gzip stream holds: the records that must survive."""
    return zlib.decompressobj(31).decompress(data).count(b"\n")


def _big_line(p: Path) -> None:
    unit = b"The council met and approved the budget. "
    p.write_bytes(unit * (BIG_FILE_BYTES // len(unit) + 1))  # one write, no newline: one 50 MB line


def _long_line(p: Path) -> None:
    # An inline image left in the text: a million characters with no space.
    blob = ("data:image/png;base64," + "iVBORw0KGgo" * LONG_LINE_CHARS)[:LONG_LINE_CHARS]
    p.write_text(f"{TITLE}\n\n{PARAGRAPHS[0]}\n\n{blob}\n\n{PARAGRAPHS[2]}\n", encoding="utf-8")


def _fifo(p: Path) -> None:
    # Inside a folder: named on the command line, a FIFO is read (it may be a shell's <(…)).
    p.mkdir()
    os.mkfifo(p / "pipe.jsonl")


def _folder(p: Path) -> None:
    p.mkdir()


def _cases() -> list[tuple[InputCase, Writer]]:
    utf8 = ARTICLE.encode("utf-8")
    out: list[tuple[InputCase, Writer]] = [
        # --- empty, blank, binary ----------------------------------------------------------------
        (InputCase("empty-txt", "empty.txt", "skipped", "is empty", records=0, errors=1), _bytes(b"")),
        (InputCase("whitespace-txt", "whitespace.txt", "skipped", "only whitespace", records=0, errors=1),
         _bytes(b" \n\t\n  \r\n\n")),
        (InputCase("png-as-txt", "picture.txt", "skipped", "PNG image", records=0, errors=1), _bytes(_png())),
        (InputCase("pdf-as-txt", "report.txt", "skipped", "PDF document", records=0, errors=1), _bytes(_pdf())),
        (InputCase("gzip-as-txt", "archive.txt", "skipped", "gzip", records=0, errors=1),
         _bytes(gzip.compress(utf8, mtime=0))),
        # --- encodings ------------------------------------------------------------------------------
        (InputCase("utf8", "utf8.txt", "processed", decoded=ARTICLE), _bytes(utf8)),
        (InputCase("utf8-bom", "utf8-bom.txt", "processed", decoded=ARTICLE), _bytes(codecs.BOM_UTF8 + utf8)),
        (InputCase("utf16-le-bom", "utf16le.txt", "processed", decoded=ARTICLE),
         _bytes(codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le"))),
        (InputCase("utf16-be-bom", "utf16be.txt", "processed", decoded=ARTICLE),
         _bytes(codecs.BOM_UTF16_BE + ARTICLE.encode("utf-16-be"))),
        (InputCase("utf16-le-no-bom", "utf16le-nobom.txt", "processed", decoded=ARTICLE),
         _bytes(ARTICLE.encode("utf-16-le"))),
        (InputCase("windows-1252", "cp1252.txt", "processed", decoded=ARTICLE), _bytes(ARTICLE.encode("cp1252"))),
        (InputCase("latin-1", "latin1.txt", "processed", decoded=LATIN1_ARTICLE),
         _bytes(LATIN1_ARTICLE.encode("latin-1"))),
        (InputCase("invalid-utf8", "invalid-utf8.txt", "processed", rules=("encoding.leftover-mojibake",),
                   contains="“temporary” tax"),
         _bytes(utf8.replace(b"five to two", b"five \xff\xfe two"))),
        # --- NUL and control characters ------------------------------------------------------------
        (InputCase("nul-bytes", "nul.txt", "processed", rules=(MOJIBAKE,), contains="The vote was five"),
         _bytes(utf8.replace(b"The vote", b"The\x00 vote\x00"))),
        (InputCase("control-chars", "control.txt", "processed", rules=(MOJIBAKE,), contains="Council approves"),
         _bytes(utf8.replace(b"Council", b"\x1b[1mCouncil\x1b[0m\x07").replace(b"five", b"fi\x7fve\x0b"))),
        # --- size ----------------------------------------------------------------------------------
        (InputCase("50mb-one-line", "big-line.txt", "skipped", "too large for one article", records=0, errors=1, large=True),
         _big_line),
        (InputCase("million-char-line", "long-line.txt", "processed", large=True, contains="five to two"),
         _long_line),
        # --- JSON ----------------------------------------------------------------------------------
        (InputCase("json-deep", "deep.json", "skipped", "nested too deeply", records=0, errors=1),
         _bytes(b"[" * 100_000)),
        (InputCase("json-truncated", "truncated.json", "skipped", "not valid JSON", records=0, errors=1),
         _bytes(_record(GOOD_TEXT)[:40])),
        (InputCase("json-empty", "empty.json", "skipped", "is empty", records=0, errors=1), _bytes(b"")),
        (InputCase("json-empty-list", "empty-list.json", "skipped", "is an empty JSON list", records=0, errors=1),
         _bytes(b"[]\n")),
        (InputCase("json-huge-int", "huge-int.json", "skipped", "has an integer of 5000 digits", records=0, errors=1),
         _bytes(b'{"n": ' + b"1" * 5000 + b', "text": "' + GOOD_TEXT.encode() + b'"}')),
        (InputCase("json-wrong-types", "types.json", "record-errors", records=1, errors=3,
                   messages=("'text' is a JSON int", "'text' is a JSON list", "'text' is null")),
         _bytes(b"[" + b", ".join([_record(5, id="n"), _record(["a"], id="l"), _record(None, id="z"),
                                   _good(1)]) + b"]")),
        # --- JSONL ---------------------------------------------------------------------------------
        (InputCase("jsonl-mixed", "mixed.jsonl", "record-errors", records=5, errors=5,
                   messages=("mixed.jsonl:3: is not valid JSON", "mixed.jsonl:4: is a JSON list",
                             "mixed.jsonl:6: is binary", "mixed.jsonl:7: has an integer of 5000 digits",
                             "mixed.jsonl:10: is JSON nested too deeply")),
         _bytes(_jsonl_mixed())),
        (InputCase("jsonl-text-field", "fields.jsonl", "record-errors", records=1, errors=8,
                   messages=("'text' is a JSON int", "'text' is a JSON list", "'text' is null",
                             "'text' is a JSON dict", "'text' is a JSON bool", "'text' is empty",
                             "'text' has only whitespace", "has no text field")),
         _bytes(_jsonl_fields())),
        (InputCase("jsonl-line-separators", "separators.jsonl", "processed", records=2),
         _bytes(_record("One line\u2028still the same record\u0085 and\u2029 this.", id="u2028") + b"\n"
                + _good(1) + b"\n")),
        (InputCase("jsonl-lone-surrogate", "surrogate.jsonl", "processed", records=2,
                   rules=("encoding.leftover-mojibake",)),
         _bytes(b'{"id": "s", "title": "Bad \\ud800 title", "text": "A lone \\udc00 half of a pair. '
                + GOOD_TEXT.encode() + b'"}\n' + _good(1) + b"\n")),
        (InputCase("jsonl-empty", "empty.jsonl", "skipped", "is empty", records=0, errors=1), _bytes(b"")),
        (InputCase("jsonl-whitespace", "whitespace.jsonl", "skipped", "only blank lines", records=0, errors=1),
         _bytes(b"\n \n\t\n")),
        (InputCase("jsonl-binary", "picture.jsonl", "skipped", "PNG image", records=0, errors=1), _bytes(_png())),
        (InputCase("jsonl-gz-truncated", "cut.jsonl.gz", "record-errors", records=complete_gz_lines(_truncated_gz()),
                   errors=1, messages=("could not be read to the end",), truncated=True), _bytes(_truncated_gz())),
        (InputCase("jsonl-gz-not-gzip", "fake.jsonl.gz", "skipped", "Not a gzipped file", records=0, errors=1),
         _bytes(_good(1) + b"\n")),
        (InputCase("jsonl-gz-empty", "empty.jsonl.gz", "skipped", "is empty", records=0, errors=1),
         _bytes(gzip.compress(b"", mtime=0))),
        # --- not regular files ---------------------------------------------------------------------
        (InputCase("fifo-in-folder", "fifo", "skipped", "pipe.jsonl: is a FIFO", records=0, errors=1, kind="fifo"),
         _fifo),
        (InputCase("folder-named-like-input", "folder.txt", "skipped", "folder with no", records=0, errors=1,
                   kind="dir"), _folder),
        (InputCase("name-not-utf8", os.fsdecode(b"bad\xff name.txt"), "processed", decoded=ARTICLE), _bytes(utf8)),
    ]
    return out + _mojibake_cases()


def _mojibake_cases() -> list[tuple[InputCase, Writer]]:
    """UTF-8 read as each code page ftfy undoes, and the other kinds of damage ftfy repairs."""
    out = []
    for encoding in ("latin-1", "sloppy-windows-1252", "sloppy-windows-1251", "sloppy-windows-1250",
                     "sloppy-windows-1253", "sloppy-windows-1254", "sloppy-windows-1257", "iso-8859-2",
                     "macroman", "cp437"):
        text = _mojibake(ARTICLE, encoding)
        out.append((InputCase(f"mojibake-{encoding}", f"mojibake-{encoding}.txt", "processed", rules=(MOJIBAKE,),
                              contains="café on Main Street, run by a family from São Paulo"),
                    _bytes(text.encode("utf-8"))))
    kinds = {
        "double-1252": _mojibake(ARTICLE, "sloppy-windows-1252", "sloppy-windows-1252"),
        "cyrillic-as-1252": _mojibake(CYRILLIC_ARTICLE, "sloppy-windows-1252"),
        "lossy-1252": ARTICLE.encode("utf-8").decode("cp1252", errors="replace"),
        "nbsp-lost": _mojibake("Voilà\u00a0: the café’s menu.\n", "sloppy-windows-1252").replace("\u00a0", " "),
        "inconsistent": ARTICLE.replace("résumé", _mojibake("résumé", "sloppy-windows-1252")),
        "html-entities": ARTICLE.replace("“temporary”", "&ldquo;temporary&rdquo; &amp; contested"),
        "ligatures": ARTICLE.replace("after a long", "after a ﬁnal, ﬂat"),
        "decomposed": ARTICLE.replace("é", "e\u0301"),
    }
    contains = {"cyrillic-as-1252": "утвердили бюджет", "lossy-1252": "café on Main Street",
                "nbsp-lost": "Voilà", "inconsistent": "résumé", "html-entities": "“temporary” & contested",
                "ligatures": "final, flat", "decomposed": "café"}
    for kind, text in kinds.items():
        out.append((InputCase(f"mojibake-{kind}", f"mojibake-{kind}.txt", "processed", rules=(MOJIBAKE,),
                              contains=contains.get(kind, "café on Main Street, run by a family from São Paulo")),
                    _bytes(text.encode("utf-8"))))
    # Emoji written as UTF-16 surrogates each encoded alone (CESU-8, Java's "modified UTF-8").
    cesu = ARTICLE.encode("utf-8").replace(b"tax.", b"tax \xed\xa0\xbd\xed\xb2\xb0.")  # U+1F4B0
    out.append((InputCase("cesu8", "cesu8.txt", "processed", decoded=ARTICLE.replace("tax.", "tax \U0001F4B0.")),
                _bytes(cesu)))
    return out


def generate(dest: Path) -> list[InputCase]:
    """Write every case into ``dest`` (created if needed); returns the cases."""
    dest.mkdir(parents=True, exist_ok=True)
    cases = []
    for case, write in _cases():
        target = dest / case.path
        if os.path.lexists(target):
            _remove(target)
        write(target)
        cases.append(case)
    return cases


def cases() -> list[InputCase]:
    """The cases, without writing them."""
    return [case for case, _ in _cases()]


def _remove(target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        for child in target.iterdir():
            child.unlink()
        target.rmdir()
    else:
        target.unlink()


def describe(case: InputCase) -> str:
    """One printable line; a file name that is not UTF-8 is shown with its bytes escaped."""
    path = os.fsencode(case.path).decode("utf-8", errors="backslashreplace")
    counts = f"records={case.records} errors={case.errors}"
    extra = f" message={case.message!r}" if case.message else ""
    return f"{case.name:32} {case.outcome:14} {counts:20} {path}{extra}"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: gen_inputs.py DEST", file=sys.stderr)
        return 2
    for case in generate(Path(argv[0])):
        print(describe(case))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
