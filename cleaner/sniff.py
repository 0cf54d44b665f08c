"""What a file's first bytes say it is, before it is decoded as text.

Scrapers save the wrong thing under a text name: an image, a PDF, a compressed
dump, UTF-16 without a byte-order mark. Naming the kind makes the skip message
actionable; recognising UTF-16 and UTF-8 with a few bad bytes keeps articles
that a charset guess would garble.
"""

from __future__ import annotations

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"%PDF-", "a PDF document"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "gzip-compressed data (name it .jsonl.gz, or decompress it)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (name it .jsonl.zst, or decompress it)"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx document)"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_SAMPLE = 8192


def signature_kind(data: bytes) -> str | None:
    """The kind of binary file ``data`` starts like, e.g. "a PNG image", or None.

    >>> signature_kind(b"%PDF-1.7 ..."), signature_kind(b"Plain text")
    ('a PDF document', None)
    """
    return next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), None)


def utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when ``data`` is UTF-16 text without a byte-order mark.

    Latin-script UTF-16 has a NUL in most odd (or even) bytes and hardly any in
    the others; that pattern in binary data is rare, and the strict decode must
    succeed too.

    >>> utf16_without_bom("Breaking news".encode("utf-16-le"))
    'utf-16-le'
    """
    sample = data[: _SAMPLE - _SAMPLE % 2]
    pairs = len(sample) // 2
    if pairs < 4 or len(data) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for name, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nuls >= 0.6 * pairs and other <= 0.05 * pairs and _decodes(data, name):
            return name
    return None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def mostly_utf8(data: bytes) -> bool:
    """True when ``data`` is UTF-8 with a few damaged bytes, not text in a legacy code page.

    A legacy (Windows-1252, Latin-1) file almost never holds a valid multi-byte
    UTF-8 sequence, so good sequences outnumbering bad bytes means UTF-8.

    >>> mostly_utf8("Café “ok” — fine".encode() + b" \\xff"), mostly_utf8("Café".encode("cp1252"))
    (True, False)
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return good > 0 and good >= bad
