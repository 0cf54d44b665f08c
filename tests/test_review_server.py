"""`cleaner review`'s server: serves a run's reports, saves decisions, refuses everything else."""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cleaner.decisions import load_decisions
from cleaner.review import ReviewServer

ARTICLE = {"source": "seed.txt", "input": "seed.txt", "sha256": "ab",
           "decisions": [{"fingerprint": "0123456789abcdef", "decision": "reject", "rule": "r.x", "line": 3}]}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ReviewServer]:
    reports = tmp_path / "reports"
    (reports / "batch").mkdir(parents=True)
    (reports / "seed.html").write_text("<!DOCTYPE html><title>seed</title>", encoding="utf-8")
    (reports / "batch" / "00001-a.html").write_text("<!DOCTYPE html><title>a</title>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside the report folder", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", reports / "link.txt")
    srv = ReviewServer(reports)
    srv.start()
    yield srv
    srv.stop()


def request(srv: ReviewServer, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    all_headers = {"Host": f"127.0.0.1:{srv.port}", **(headers or {})}
    if body is not None:
        all_headers.setdefault("Content-Length", str(len(body)))
    for key, value in all_headers.items():
        conn.putheader(key, value)
    conn.endheaders(body)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


def post(srv: ReviewServer, body: object, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return request(srv, "POST", f"/{srv.token}/api/decisions", json.dumps(body).encode(),
                   {"Content-Type": "application/json", **headers})


def test_serves_reports_under_the_token_only(server: ReviewServer):
    status, headers, body = request(server, "GET", f"/{server.token}/seed.html")
    assert status == 200 and b"<title>seed</title>" in body
    assert headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"
    assert headers["content-security-policy"] == "frame-ancestors 'none'"
    assert request(server, "GET", f"/{server.token}/batch/00001-a.html")[0] == 200
    assert request(server, "GET", "/seed.html")[0] == 404
    assert request(server, "GET", f"/{server.token[:-1]}x/seed.html")[0] == 404
    listing = request(server, "GET", f"/{server.token}/")
    assert listing[0] == 200 and b'href="batch/00001-a.html"' in listing[2] and b'href="seed.html"' in listing[2]


@pytest.mark.parametrize("path", [
    "/{t}/../secret.txt", "/{t}/%2e%2e/secret.txt", "/{t}/batch/../../secret.txt", "/{t}/..%2fsecret.txt",
    "/{t}/link.txt", "/{t}/batch/", "/{t}/batch", "/{t}/%00", "/{t}//etc/passwd",
])
def test_no_way_out_of_the_report_folder(server: ReviewServer, path: str):
    status, _, body = request(server, "GET", path.format(t=server.token))
    assert status in (301, 404), (path, status)
    assert b"outside the report folder" not in body and b"root:" not in body


def test_other_hosts_are_refused(server: ReviewServer):
    status, _, body = request(server, "GET", f"/{server.token}/seed.html", headers={"Host": "evil.example"})
    assert status == 403 and b"wrong Host header" in body
    assert post(server, ARTICLE, Host=f"localhost:{server.port}")[0] == 403


def test_save_and_load_decisions(server: ReviewServer):
    status, _, body = post(server, ARTICLE, Origin=f"http://127.0.0.1:{server.port}")
    assert status == 200 and json.loads(body) == {"saved": 1, "path": str(server.decisions_path)}
    (article,) = load_decisions([server.decisions_path])
    assert article.decisions == {"0123456789abcdef": "reject"} and article.details["0123456789abcdef"]["line"] == 3
    status, _, body = request(server, "GET", f"/{server.token}/api/decisions")
    assert status == 200 and json.loads(body)["articles"][0]["source"] == "seed.txt"
    # Saving the same article again replaces its entry; an empty list removes it.
    post(server, {**ARTICLE, "decisions": [{"fingerprint": "ffff", "decision": "accept"}]})
    assert load_decisions([server.decisions_path])[0].decisions == {"ffff": "accept"}
    post(server, {**ARTICLE, "decisions": []})
    assert load_decisions([server.decisions_path]) == []


@pytest.mark.parametrize(("headers", "body", "status"), [
    ({"Origin": "https://evil.example"}, ARTICLE, 403),
    ({"Content-Type": "text/plain"}, ARTICLE, 415),
    ({"Content-Type": "application/x-www-form-urlencoded"}, ARTICLE, 415),
    ({}, {"source": "seed.txt", "decisions": [{"fingerprint": "x", "decision": "delete"}]}, 422),
    ({}, {"source": "", "decisions": []}, 422),
    ({}, ["not", "an", "object"], 422),
])
def test_bad_saves_are_refused_and_change_nothing(server: ReviewServer, headers: dict[str, str], body: object,
                                                  status: int):
    got, _, data = post(server, body, **headers)
    assert got == status, data
    assert not server.decisions_path.exists()


def test_oversized_and_malformed_bodies(server: ReviewServer):
    path = f"/{server.token}/api/decisions"
    big = request(server, "POST", path, b"x", {"Content-Type": "application/json", "Content-Length": str(6 << 20)})
    assert big[0] == 413
    assert request(server, "POST", path, b"{oops", {"Content-Type": "application/json"})[0] == 400
    assert request(server, "POST", f"/{server.token}/seed.html", b"{}", {"Content-Type": "application/json"})[0] == 404
    assert not server.decisions_path.exists()


def test_listens_on_loopback_only(server: ReviewServer):
    assert server.httpd.server_address[0] == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.port}/{server.token}/" and len(server.token) >= 24


def test_a_lone_surrogate_in_a_decision_is_saved_and_read_back(server: ReviewServer):
    # JSON may carry "\ud800", which has no UTF-8 form: it must be saved as an escape, not crash the save.
    odd = {**ARTICLE, "decisions": [{**ARTICLE["decisions"][0], "excerpt": "caf\ud800 and \u2028 line"}]}
    status, _, body = post(server, odd)
    assert status == 200, body
    (article,) = load_decisions([server.decisions_path])
    assert article.details["0123456789abcdef"]["excerpt"] == "caf\ud800 and \u2028 line"
    status, _, body = request(server, "GET", f"/{server.token}/api/decisions")
    assert status == 200 and "caf\ud800" in json.loads(body)["articles"][0]["decisions"][0]["excerpt"]
