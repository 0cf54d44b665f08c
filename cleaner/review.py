"""``cleaner review``: serve a run's reports on 127.0.0.1 and save decisions straight to disk.

The reports are the same self-contained files a run writes; served, their
review script also saves every decision to ``decisions.json`` in the report
folder (and loads it back), so there is no download-and-upload step.

The server is the standard library's ``http.server`` with a small handler,
made for one person on one machine:

- it listens on 127.0.0.1 only, and answers only requests whose ``Host`` is
  that address and port (a web page cannot reach it through a DNS name that
  resolves to 127.0.0.1);
- every URL starts with a random token (``/TOKEN/…``), so another local page or
  user who does not know the printed URL gets 404s;
- saving needs ``POST`` with ``Content-Type: application/json`` (which a
  cross-site form cannot send, and which a cross-origin script cannot send
  without a preflight this server never approves), a matching ``Origin`` when
  one is sent, and a body under 5 MB that validates as decisions;
- only files inside the report folder are served (no ``..``, no symlinks out,
  no directory listings), read-only, with ``nosniff``, ``no-store`` and
  ``frame-ancestors 'none'``.
"""

from __future__ import annotations

import hmac
import html
import json
import os
import posixpath
import secrets
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from cleaner.decisions import DecisionsError, document, parse_article, parse_document
from cleaner.report.json_report import json_text
from cleaner.run import write_atomic

HOST = "127.0.0.1"
DECISIONS_FILE = "decisions.json"
MAX_BODY = 5 * 1024 * 1024
API = "api/decisions"


class ReviewServer:
    """A running review server for the reports under ``root``."""

    def __init__(self, root: Path, port: int = 0, token: str | None = None) -> None:
        self.root = root.resolve()
        if not self.root.is_dir():
            raise DecisionsError(f"{root}: is not a folder of reports; give the --report-dir of a run")
        self.token = token or secrets.token_urlsafe(18)
        self.decisions_path = self.root / DECISIONS_FILE
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((HOST, port), _handler(self))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/{self.token}/"

    def url_for(self, report: Path) -> str:
        rel = report.resolve().relative_to(self.root).as_posix()
        return self.url + quote(rel)

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def start(self) -> threading.Thread:
        """Serve in a background thread (for tests and embedding)."""
        thread = threading.Thread(target=self.serve_forever, name="cleaner-review", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- decisions file --
    def load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.decisions_path.read_text(encoding="utf-8"))
            parse_document(data, str(self.decisions_path))
            return data
        except FileNotFoundError:
            return document([])

    def save(self, article: dict[str, Any]) -> int:
        """Replace this article's entry in the decisions file; returns how many decisions it holds."""
        parsed = parse_article(article, "the saved decisions")
        entry = {"source": parsed.source, "input": parsed.input, "sha256": parsed.sha256,
                 "decisions": [{"fingerprint": fp, "decision": d, **parsed.details.get(fp, {})}
                               for fp, d in parsed.decisions.items()]}
        with self.lock:
            doc = self.load()
            rows = [a for a in doc["articles"] if a.get("source") != parsed.source]
            if entry["decisions"]:
                rows.append(entry)
            rows.sort(key=lambda a: str(a.get("source")))
            write_atomic(self.decisions_path, json_text(document(rows), indent=2) + "\n")
        return len(parsed.decisions)


def _handler(server: ReviewServer) -> Callable[..., SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        server_version = "cleaner-review"
        sys_version = ""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(server.root), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass  # the terminal shows the URL and errors, not every request

        def end_headers(self) -> None:
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Security-Policy", "frame-ancestors 'none'")
            self.send_header("X-Frame-Options", "DENY")
            super().end_headers()

        # -- checks shared by every method --
        def _host_ok(self) -> bool:
            if self.headers.get("Host") != f"{HOST}:{server.port}":
                self._json(HTTPStatus.FORBIDDEN, {"error": "wrong Host header; open the printed 127.0.0.1 URL"})
                return False
            return True

        def _rest(self, raw: str | None = None) -> str | None:
            """The path after ``/TOKEN/``, or None when the token is wrong."""
            path = urlsplit(raw if raw is not None else self.path).path
            parts = path.split("/", 2)
            if len(parts) < 3 or parts[0] != "" or not hmac.compare_digest(parts[1], server.token):
                return None
            return unquote(parts[2])

        def _json(self, status: HTTPStatus, body: Any) -> None:
            data = json_text(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        # -- GET: reports and the decisions file --
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if not self._host_ok():
                return
            rest = self._rest()
            if rest is None:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            if rest == API:
                try:
                    self._json(HTTPStatus.OK, server.load())
                except (DecisionsError, json.JSONDecodeError, OSError) as exc:
                    self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"{server.decisions_path}: {exc}"})
                return
            if rest in ("", "index.html") and not (server.root / "index.html").is_file():
                self._listing()
                return
            super().do_GET()

        def do_HEAD(self) -> None:  # noqa: N802
            if self._host_ok() and self._rest() is not None:
                super().do_HEAD()
            elif self.headers.get("Host") == f"{HOST}:{server.port}":
                self.send_error(HTTPStatus.NOT_FOUND)

        def translate_path(self, path: str) -> str:
            rest = self._rest(path)
            if rest is None or "\x00" in rest:
                return str(server.root / ".missing")
            clean = posixpath.normpath("/" + rest).lstrip("/")
            target = (server.root / clean).resolve() if clean not in ("", ".") else server.root
            if target != server.root and not target.is_relative_to(server.root):
                return str(server.root / ".missing")
            return str(target)

        def list_directory(self, path: str | os.PathLike[str]) -> None:  # type: ignore[override]
            self.send_error(HTTPStatus.NOT_FOUND)
            return None

        def _listing(self) -> None:
            reports = sorted(p for p in server.root.rglob("*.html") if p.is_file())
            links = "".join(
                f'<li><a href="{html.escape(quote(p.relative_to(server.root).as_posix()))}">'
                f"{html.escape(p.relative_to(server.root).as_posix())}</a></li>" for p in reports)
            page = (
                "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
                "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; style-src 'unsafe-inline'\">"
                "<title>cleaner review</title><style>body{font:15px/1.5 system-ui,sans-serif;margin:32px}</style>"
                f"</head><body><h1>Reports</h1><ul>{links or '<li>No reports in this folder.</li>'}</ul>"
                f"<p>Decisions are saved to <code>{html.escape(str(server.decisions_path))}</code>.</p></body></html>"
            ).encode("utf-8")
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        # -- POST: save one article's decisions --
        def do_POST(self) -> None:  # noqa: N802
            if not self._host_ok():
                return
            if self._rest() != API:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            origin = self.headers.get("Origin")
            if origin is not None and origin != f"http://{HOST}:{server.port}":
                self._json(HTTPStatus.FORBIDDEN, {"error": "cross-origin requests are refused"})
                return
            if (self.headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
                self._json(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "send decisions as application/json"})
                return
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self._json(HTTPStatus.LENGTH_REQUIRED, {"error": "Content-Length is required"})
                return
            if not 0 < length <= MAX_BODY:
                self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"a body of 1 to {MAX_BODY} bytes"})
                return
            try:
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                count = server.save(body)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                self._json(HTTPStatus.BAD_REQUEST, {"error": f"not valid JSON ({exc})"})
                return
            except DecisionsError as exc:
                self._json(HTTPStatus.UNPROCESSABLE_ENTITY, {"error": str(exc)})
                return
            self._json(HTTPStatus.OK, {"saved": count, "path": str(server.decisions_path)})

    return Handler
