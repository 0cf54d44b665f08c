"""LanguageTool server and client, against a real server (nothing is mocked).

The jars come from the real per-user install (``$CLEANER_CACHE_DIR`` if set, so CI can
share it; installed once on first run, ~245 MB). Each test then runs in a throwaway cache
whose ``languagetool/<version>`` is a symlink to that install: server state, lock and logs
are private to the test run, so the suite never stops a server the user is running, and
never downloads twice. If the server cannot start, the fixtures error and the tests fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli_languagetool import app
from cleaner.languagetool import (
    URL_ENV,
    GrammarChecker,
    GrammarError,
    GrammarUnavailable,
    Installation,
    JavaMissing,
    Keepalive,
    LanguageToolNotInstalled,
    PortInUse,
    ServerInfo,
    ServerNotHealthy,
    cache_dir,
    ensure_server,
    install,
    open_checker,
    server_status,
    start_server,
    state_path,
    stop_server,
)
from cleaner.languagetool._runtime import pid_alive
from cleaner.languagetool.client import utf16_span_to_len

REAL_CACHE = cache_dir()  # resolved before any test changes the environment
JAVA_MISSING = (
    "Java 17 or newer is needed for LanguageTool; install it "
    "(Debian: apt-get install openjdk-17-jre-headless) or run with --no-grammar"
)
NOT_INSTALLED = (
    "LanguageTool 6.6 is not installed; run `cleaner languagetool install` or use --no-grammar"
)


@contextlib.contextmanager
def cache_env(cache: Path) -> Iterator[None]:
    """Temporarily point CLEANER_CACHE_DIR at ``cache`` (for session-scoped fixtures)."""
    saved = {k: os.environ.get(k) for k in ("CLEANER_CACHE_DIR", URL_ENV)}
    os.environ["CLEANER_CACHE_DIR"] = str(cache)
    os.environ.pop(URL_ENV, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def linked_cache(root: Path, inst: Installation) -> Path:
    """A cache dir sharing the real install's jars but with its own server state."""
    (root / "languagetool").mkdir(parents=True, exist_ok=True)
    (root / "languagetool" / inst.version).symlink_to(inst.path.resolve(), target_is_directory=True)
    return root


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def lt_pids() -> set[int]:
    """Pids of all LanguageTool HTTPServer processes on this machine (via /proc)."""
    pids = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                cmdline = (proc / "cmdline").read_bytes()
                if b"org.languagetool.server.HTTPServer" in cmdline and pid_alive(int(proc.name)):
                    pids.add(int(proc.name))
    return pids


def raw_check(url: str, text: str, **params: str) -> list[dict]:  # type: ignore[type-arg]
    """The server's own answer, bypassing the client (used as the offset oracle)."""
    body = urllib.parse.urlencode({"language": "en-US", "text": text, **params}).encode()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{url}/v2/check", data=body, timeout=60) as resp:
        return json.loads(resp.read())["matches"]  # type: ignore[no-any-return]


# --- fixtures -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def installation() -> Installation:
    with cache_env(REAL_CACHE):
        return install()


@pytest.fixture(scope="session")
def runtime_cache(installation: Installation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return linked_cache(tmp_path_factory.mktemp("lt-cache"), installation)


@pytest.fixture(scope="session")
def shared_server(runtime_cache: Path) -> Iterator[ServerInfo]:
    with cache_env(runtime_cache):
        info = ensure_server(idle_timeout=900)  # idle stop cleans up if teardown never runs
    yield info
    with cache_env(runtime_cache):
        stop_server()


@pytest.fixture
def server(shared_server: ServerInfo, runtime_cache: Path,
           monkeypatch: pytest.MonkeyPatch) -> ServerInfo:
    """The shared server, with this test's environment pointing at its cache."""
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(runtime_cache))
    monkeypatch.delenv(URL_ENV, raising=False)
    return ensure_server(idle_timeout=900)


@pytest.fixture
def own_cache(installation: Installation, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private cache for tests that start, kill or time out their own server."""
    cache = linked_cache(tmp_path / "cache", installation)
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(cache))
    monkeypatch.delenv(URL_ENV, raising=False)
    yield cache
    stop_server()


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "empty-cache"
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(cache))
    monkeypatch.delenv(URL_ENV, raising=False)
    return cache


runner = CliRunner()


# --- server lifecycle ---------------------------------------------------------------------

def test_ensure_reuses_the_running_server(server: ServerInfo) -> None:
    started = time.monotonic()
    again = ensure_server()
    assert time.monotonic() - started < 3.0
    assert (again.pid, again.port, again.url) == (server.pid, server.port, server.url)
    assert again.healthy and again.version == "6.6" and again.managed
    state = json.loads(state_path().read_text())
    assert {"pid", "port", "version", "url", "started_at", "last_used", "idle_timeout",
            "on_demand"} <= set(state)
    assert state["pid"] == server.pid and state["on_demand"] is True
    status = server_status()
    assert status is not None and status.healthy and status.pid == server.pid


def test_server_listens_on_loopback_only(server: ServerInfo) -> None:
    port_hex = f"{server.port:04X}"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and local.endswith(":" + port_hex):
                listening.append(local.split(":")[0])
    assert listening, "server port not found in /proc/net/tcp*"
    loopback = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}
    assert set(listening) <= loopback, listening


def test_explicit_start_status_stop_via_cli(own_cache: Path) -> None:
    result = runner.invoke(app, ["start", "--xmx", "512m"])
    assert result.exit_code == 0, result.output + result.stderr
    info = server_status()
    assert info is not None and info.healthy
    assert info.on_demand is False and info.idle_timeout is None and info.watchdog_pid is None
    assert f"running at {info.url} (pid {info.pid})" in result.stdout

    again = runner.invoke(app, ["start"])
    assert again.exit_code == 2
    assert again.stderr.startswith("cleaner error: a LanguageTool 6.6 server is already running")

    assert ensure_server().pid == info.pid  # an explicit server is reused too

    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0
    for expected in (f"url: {info.url}", f"pid: {info.pid}", "version: 6.6", "health: ok"):
        assert expected in status.stdout

    stopped = runner.invoke(app, ["stop"])
    assert stopped.exit_code == 0 and f"pid {info.pid}" in stopped.stdout
    assert info.pid is not None and not pid_alive(info.pid)
    assert not state_path().exists()
    assert runner.invoke(app, ["status"]).exit_code == 1
    assert stop_server() is False


def test_idle_server_stops_by_itself_but_not_while_used(own_cache: Path) -> None:
    info = ensure_server(idle_timeout=4, xmx="512m")
    pid, watchdog = info.pid, info.watchdog_pid
    assert pid is not None and watchdog is not None and info.on_demand
    checker = GrammarChecker(info.url, keepalive=Keepalive(info))
    busy_until = time.monotonic() + 9
    i = 0
    while time.monotonic() < busy_until:  # in use for more than twice the idle timeout
        checker.check(f"Request number {i} is is here.")
        i += 1
        time.sleep(0.5)
    assert pid_alive(pid), "server stopped while in use"
    idle_from = time.monotonic()
    assert wait_until(lambda: not pid_alive(pid), timeout=30), "server never idle-stopped"
    assert time.monotonic() - idle_from >= 2.5  # not before (roughly) the timeout
    assert wait_until(lambda: not state_path().exists(), timeout=5)
    assert wait_until(lambda: not pid_alive(watchdog), timeout=10)
    assert server_status() is None


def test_concurrent_callers_share_one_server(own_cache: Path) -> None:
    code = ("from cleaner.languagetool import ensure_server;"
            "print(ensure_server(idle_timeout=120, xmx='512m').pid)")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    pids = {int(out.strip()) for out, _ in outs}
    assert len(pids) == 1, outs
    status = server_status()
    assert status is not None and status.pid in pids


# --- CLEANER_LANGUAGETOOL_URL -------------------------------------------------------------

def test_remote_url_uses_existing_server_and_starts_nothing(
        server: ServerInfo, empty_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = lt_pids()
    monkeypatch.setenv(URL_ENV, server.url + "/v2/")  # any usual spelling of the URL works
    info = ensure_server()
    assert info.url == server.url and info.managed is False and info.pid is None
    assert info.healthy and info.version == "6.6"
    assert start_server().url == server.url  # nothing started either
    checker = open_checker()
    assert [m.rule_id for m in checker.check("He go home.")] == ["HE_VERB_AGR"]
    assert stop_server() is False
    assert server.pid is not None and pid_alive(server.pid)
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0 and "external" in status.stdout
    assert lt_pids() == before
    assert not (empty_cache / "languagetool" / "server.json").exists()

    monkeypatch.delenv(URL_ENV)  # the url= parameter does the same
    assert ensure_server(url=server.url).managed is False
    assert not (empty_cache / "languagetool" / "server.json").exists()


def test_remote_url_that_does_not_answer(empty_cache: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv(URL_ENV, f"http://127.0.0.1:{port}")
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(GrammarUnavailable, match=f"no LanguageTool server answers at {url}"):
        ensure_server()
    status = server_status()
    assert status is not None and status.healthy is False
    assert runner.invoke(app, ["status"]).exit_code == 1


# --- error paths --------------------------------------------------------------------------

def test_not_installed(empty_cache: Path) -> None:
    for call in (ensure_server, start_server):
        with pytest.raises(LanguageToolNotInstalled) as err:
            call()
        assert str(err.value) == NOT_INSTALLED
    result = runner.invoke(app, ["start"])
    assert result.exit_code == 2 and result.stderr == f"cleaner error: {NOT_INSTALLED}\n"


def test_java_missing(own_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nowhere = tmp_path / "no-bin"
    nowhere.mkdir()
    monkeypatch.setenv("PATH", str(nowhere))
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java"))
    with pytest.raises(JavaMissing) as err:
        ensure_server()
    assert str(err.value) == JAVA_MISSING
    result = runner.invoke(app, ["start"])
    assert result.exit_code == 2 and result.stderr == f"cleaner error: {JAVA_MISSING}\n"


def test_port_taken(own_cache: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        with pytest.raises(PortInUse, match=f"port {port} on 127.0.0.1 is already in use"):
            start_server(port=port, xmx="512m")
        result = runner.invoke(app, ["start", "--port", str(port)])
        assert result.exit_code == 2
        assert result.stderr.startswith(f"cleaner error: port {port} on 127.0.0.1 is already")
    assert not state_path().exists()


def test_server_not_healthy_in_time_is_killed(own_cache: Path) -> None:
    with pytest.raises(ServerNotHealthy) as err:
        start_server(xmx="512m", wait=0.5)
    log = own_cache / "languagetool" / "server.log"
    assert str(err.value) == f"LanguageTool server did not become healthy within 0.5 s; see {log}"
    assert err.value.pid is not None and not pid_alive(err.value.pid)
    assert not state_path().exists()


def test_server_dies_mid_run(own_cache: Path) -> None:
    info = ensure_server(idle_timeout=300, xmx="512m")
    checker = GrammarChecker(info.url)
    assert checker.check("He go home.")
    pid = info.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert wait_until(lambda: not pid_alive(pid), timeout=10)
    with pytest.raises(GrammarUnavailable) as err:
        checker.check("She go home.")
    message = str(err.value)
    assert "\n" not in message and f"LanguageTool server at {info.url} stopped answering" in message
    assert checker.check("He go home.")  # already checked: answered from the cache
    # the watchdog notices the dead server and clears the state; the next run starts afresh
    assert wait_until(lambda: not state_path().exists(), timeout=15)
    assert server_status() is None


def test_unsupported_language(server: ServerInfo) -> None:
    with pytest.raises(GrammarError, match="language 'xx-YY' is not supported"):
        GrammarChecker(server.url, language="xx-YY")


# --- client: offsets, options, cache ------------------------------------------------------

OFFSET_TEXTS = [
    "Fooxq𝒜bc is a wrd. He go 😀 home. I has a apple.",
    "😀😀😀 Thisx😀y is wrng, and teh 👨‍👩‍👧 family go home.",
    "Ünïcödé café 中文 he go home. 𝒜𝒷𝒸 teh cat. Naïve cooperation is is fine.",
    "Cafe\u0301 is nice.\r\nI has a 🎉 party and teh 🎉🎉 cake 😀",
    "Тут русский текст. 日本語. He go to 🏳️‍🌈 the the parade 🇩🇪.",
]


@pytest.mark.parametrize("text", OFFSET_TEXTS)
def test_offsets_are_python_indices(server: ServerInfo, text: str) -> None:
    matches = GrammarChecker(server.url).check(text)
    assert matches
    utf16 = text.encode("utf-16-le")
    def span16(m: dict) -> str:  # type: ignore[type-arg]
        return utf16[2 * m["offset"]:2 * (m["offset"] + m["length"])].decode("utf-16-le")

    expected = sorted((m["rule"]["id"], span16(m)) for m in raw_check(server.url, text))
    got = sorted((m.rule_id, text[m.offset:m.offset + m.length]) for m in matches)
    assert got == expected


def test_offsets_of_spans_containing_emoji(server: ServerInfo) -> None:
    text = "😀 Fooxq𝒜bc is a wrd. He go 😀 home."
    matches = GrammarChecker(server.url).check(text)
    spans = {text[m.offset:m.offset + m.length]: (m.offset, m.length) for m in matches}
    for word in ("Fooxq𝒜bc", "wrd", "go"):
        assert spans[word] == (text.index(word), len(word))
    raw = {(m["offset"], m["length"]) for m in raw_check(server.url, text)}
    assert {(3, 9), (18, 3), (26, 2)} <= raw  # the server counts each astral character twice


def test_utf16_span_to_len() -> None:
    text = "a😀b𝒜c"
    assert utf16_span_to_len(text, 0, 1) == 1
    assert utf16_span_to_len(text, 1, 2) == 1
    assert utf16_span_to_len(text, 0, 7) == 5
    assert utf16_span_to_len("plain", 1, 3) == 3


TEXT = 'He said "hello" and left... The end. He go home. This is is wrong. Teh cat.'


def rules(checker: GrammarChecker) -> set[str]:
    return {m.rule_id for m in checker.check(TEXT)}


def test_picky_adds_matches(server: ServerInfo) -> None:
    normal = rules(GrammarChecker(server.url))
    picky = rules(GrammarChecker(server.url, picky=True))
    assert {"HE_VERB_AGR", "ENGLISH_WORD_REPEAT_RULE", "MORFOLOGIK_RULE_EN_US"} <= normal
    assert {"EN_QUOTES", "ELLIPSIS"} <= picky - normal


def test_disabled_rules_and_categories(server: ServerInfo) -> None:
    assert "HE_VERB_AGR" not in rules(GrammarChecker(server.url, disabled_rules=["HE_VERB_AGR"]))
    without_typos = GrammarChecker(server.url, disabled_categories=["TYPOS"]).check(TEXT)
    assert without_typos and all(m.category != "TYPOS" for m in without_typos)
    assert "MORFOLOGIK_RULE_EN_US" not in {m.rule_id for m in without_typos}


def test_match_fields(server: ServerInfo) -> None:
    (match,) = GrammarChecker(server.url).check("He go home.")
    assert (match.offset, match.length, match.rule_id) == (3, 2, "HE_VERB_AGR")
    assert match.category == "GRAMMAR" and match.issue_type == "grammar"
    assert "goes" in match.replacements and isinstance(match.replacements, tuple)
    assert match.message


def test_repeated_texts_are_checked_once(server: ServerInfo) -> None:
    checker = GrammarChecker(server.url)
    first = checker.check("He go home.")
    assert checker.check("He go home.") == first
    assert checker.requests == 1
    checker.check("She go home.")
    assert checker.requests == 2
    assert checker.check("") == []
