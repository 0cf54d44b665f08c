"""Run LanguageTool as one shared, detached local server per user cache.

Why a managed server: a JVM start plus LanguageTool's warm-up costs ~10 s, far more than
checking an article (~0.1 s), so every ``cleaner`` run reuses one server recorded in
``<cache>/languagetool/server.json`` (pid, port, version, url, started_at, last_used,
idle_timeout, on_demand). Servers started on demand stop themselves after ``idle_timeout``
seconds without use: a small watchdog process (``cleaner.languagetool.watchdog``) reads
``last_used``, which clients refresh at most every few seconds. A ``flock`` on
``server.lock`` makes the read-check-start sequence atomic across processes, so two
concurrent runs never start two servers.

``CLEANER_LANGUAGETOOL_URL`` (or ``url=``) points at an existing server instead: then
nothing is started or stopped, it is only health-checked.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cleaner.languagetool import _runtime
from cleaner.languagetool.errors import (
    GrammarError,
    GrammarUnavailable,
    PortInUse,
    ServerAlreadyRunning,
    ServerStartError,
)
from cleaner.languagetool.install import DEFAULT_VERSION, languagetool_root, require_installation

URL_ENV = "CLEANER_LANGUAGETOOL_URL"
WATCHDOG_MODULE = "cleaner.languagetool.watchdog"
DEFAULT_IDLE_TIMEOUT = 300.0
DEFAULT_XMX = "1g"
HEALTH_TIMEOUT = 15.0  # a warm server answers the tiny check in ~20 ms; allow for load
TOUCH_INTERVAL = 5.0
_XMX_RE = re.compile(r"^[1-9][0-9]*[kKmMgG]?$")


@dataclass(frozen=True)
class ServerInfo:
    """A LanguageTool server: ``url`` is the base (the API lives under ``url + '/v2/'``).

    ``managed`` is False for a server given by URL (no pid, never started or stopped here).
    ``healthy`` is None when not checked.
    """

    url: str
    version: str
    port: int | None = None
    pid: int | None = None
    started_at: float | None = None
    last_used: float | None = None
    idle_timeout: float | None = None
    on_demand: bool = False
    managed: bool = True
    healthy: bool | None = None
    log_path: Path | None = None
    watchdog_pid: int | None = None


def state_path() -> Path:
    """``<cache>/languagetool/server.json``."""
    return languagetool_root() / "server.json"


def log_path() -> Path:
    """The managed server's stdout/stderr, rewritten at each start."""
    return languagetool_root() / "server.log"


def external_url(url: str | None = None) -> str | None:
    """``url`` or ``$CLEANER_LANGUAGETOOL_URL`` (normalised), or None for the managed server."""
    chosen = url or os.environ.get(URL_ENV)
    return _runtime.normalize_url(chosen) if chosen else None


def start_server(version: str = DEFAULT_VERSION, port: int | None = None, xmx: str = DEFAULT_XMX,
                 idle_timeout: float | None = None, wait: float = 60.0) -> ServerInfo:
    """Start a managed server (no idle stop unless ``idle_timeout``) and wait until healthy.

    With ``CLEANER_LANGUAGETOOL_URL`` set nothing is started: that server is health-checked.
    """
    if (remote := external_url()) is not None:
        return _remote_info(remote, require=True)
    with _lock(wait):
        state = _live_state()
        if state is not None:
            raise ServerAlreadyRunning(state["version"], state["url"], state["pid"])
        return _start_locked(version, port, xmx, idle_timeout, wait, on_demand=False)


def ensure_server(version: str = DEFAULT_VERSION, *, url: str | None = None,
                  idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT, xmx: str = DEFAULT_XMX,
                  wait: float = 60.0) -> ServerInfo:
    """Reuse the running server if it is alive, healthy and of ``version``; else start one.

    A server started here is "on demand": it stops by itself after ``idle_timeout`` s unused.
    """
    if (remote := external_url(url)) is not None:
        return _remote_info(remote, require=True)
    with _lock(wait):
        state = _live_state()
        if state is not None:
            healthy = _runtime.healthy_version(state["url"], HEALTH_TIMEOUT)
            if healthy is not None and state["version"] == version:
                state["last_used"] = time.time()
                _runtime.write_json(state_path(), state)
                return _info(state, healthy=True)
            if healthy is not None and not state.get("on_demand"):
                raise ServerStartError(
                    f"a LanguageTool {state['version']} server started with `cleaner languagetool"
                    f" start` is running at {state['url']}; stop it with `cleaner languagetool"
                    f" stop` to use {version}"
                )
            _stop_locked(state)  # on-demand server of another version, or hung
        return _start_locked(version, None, xmx, idle_timeout, wait, on_demand=True)


def stop_server(url: str | None = None) -> bool:
    """Stop the managed server; True if one was running. Never stops a server given by URL."""
    if external_url(url) is not None:
        return False
    with _lock(60.0):
        state = _runtime.read_json(state_path())
        if state is None:
            return False
        pid = state.get("pid")
        was_running = isinstance(pid, int) and _runtime.is_languagetool(pid)
        _stop_locked(state)
        return was_running


def server_status(url: str | None = None) -> ServerInfo | None:
    """The running server (health-checked), or None if no managed server is alive."""
    if (remote := external_url(url)) is not None:
        return _remote_info(remote, require=False)
    state = _live_state()
    if state is None:
        return None
    return _info(state, healthy=_runtime.healthy_version(state["url"], HEALTH_TIMEOUT) is not None)


class Keepalive:
    """Callable a client runs per request: refreshes ``last_used`` at most every few seconds.

    It never blocks: if another process holds the lock (e.g. it is starting a server), this
    touch is skipped and the next one catches up.
    """

    def __init__(self, info: ServerInfo) -> None:
        self._pid = info.pid if info.managed else None
        self._state, self._lock = state_path(), _lock_path()  # fixed even if the env changes
        idle = info.idle_timeout
        self._interval = TOUCH_INTERVAL if idle is None else min(TOUCH_INTERVAL, idle / 4)
        self._last = time.monotonic()

    def __call__(self) -> None:
        if self._pid is None or time.monotonic() - self._last < self._interval:
            return
        self._last = time.monotonic()
        try:
            with _runtime.file_lock(self._lock, timeout=0):
                state = _runtime.read_json(self._state)
                if state is not None and state.get("pid") == self._pid:
                    state["last_used"] = time.time()
                    _runtime.write_json(self._state, state)
        except (_runtime.LockBusy, OSError):
            pass


# --- internals ----------------------------------------------------------------------------

def _lock_path() -> Path:
    return languagetool_root() / "server.lock"


@contextlib.contextmanager
def _lock(wait: float) -> Iterator[None]:
    """The server lock; give up (clearly) if another process holds it much longer than a start."""
    try:
        with _runtime.file_lock(_lock_path(), timeout=wait + 60.0):
            yield
    except _runtime.LockBusy as e:
        raise ServerStartError(
            f"another cleaner process has held {_lock_path()} for over {wait + 60:g} s"
        ) from e


def _live_state() -> dict[str, Any] | None:
    """The state file's content if its pid is a live LanguageTool server, else None."""
    state = _runtime.read_json(state_path())
    if state is None or not isinstance(state.get("pid"), int):
        return None
    return state if _runtime.is_languagetool(state["pid"]) else None


def _start_locked(version: str, port: int | None, xmx: str, idle_timeout: float | None,
                  wait: float, *, on_demand: bool) -> ServerInfo:
    """Start the JVM, wait for health, record the state, spawn the watchdog. Lock held."""
    inst = require_installation(version)
    if not _XMX_RE.match(xmx):
        raise GrammarError(f"'{xmx}' is not a Java heap size (examples: 512m, 1g)")
    if idle_timeout is not None and idle_timeout <= 0:
        raise GrammarError(f"the idle timeout must be positive, not {idle_timeout:g}")
    _runtime.find_java()  # the clear "Java missing" error before anything is spawned
    if port is None:
        port = _runtime.free_port()
    elif not _runtime.port_free(port):
        raise PortInUse(port)
    _remove_state()
    started = time.time()
    proc = _runtime.launch_server(inst.lib_dir, port, xmx, log_path())
    reported = _runtime.wait_healthy(proc, port, wait, log_path())
    now = time.time()
    state: dict[str, Any] = {
        "pid": proc.pid, "port": port, "version": reported if reported != "unknown" else version,
        "url": f"http://127.0.0.1:{port}", "started_at": started, "last_used": now,
        "idle_timeout": idle_timeout, "on_demand": on_demand, "log": str(log_path()),
        "xmx": xmx, "startup_seconds": round(now - started, 3),
    }
    _runtime.write_json(state_path(), state)
    if idle_timeout is not None:
        state["watchdog_pid"] = _spawn_watchdog(proc.pid)
        _runtime.write_json(state_path(), state)
    return _info(state, healthy=True)


def _spawn_watchdog(server_pid: int) -> int:
    """Run ``python -m cleaner.languagetool.watchdog`` detached, importable from our tree."""
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", WATCHDOG_MODULE, str(state_path()),
           str(server_pid)]
    proc = _runtime.spawn_detached(cmd, languagetool_root() / "watchdog.log",
                                   cwd=languagetool_root(), env=env)
    return proc.pid


def _stop_locked(state: dict[str, Any]) -> None:
    """Stop the server (only if the pid really is LanguageTool) and its watchdog. Lock held."""
    pid = state.get("pid")
    if isinstance(pid, int) and _runtime.is_languagetool(pid):
        _runtime.terminate(pid)
    watchdog = state.get("watchdog_pid")
    if isinstance(watchdog, int) and _runtime.runs(watchdog, WATCHDOG_MODULE):
        _runtime.terminate(watchdog, grace=2.0)
    _remove_state()


def _remove_state() -> None:
    state_path().unlink(missing_ok=True)


def _info(state: dict[str, Any], *, healthy: bool | None) -> ServerInfo:
    return ServerInfo(
        url=state["url"], version=state["version"], port=state.get("port"), pid=state.get("pid"),
        started_at=state.get("started_at"), last_used=state.get("last_used"),
        idle_timeout=state.get("idle_timeout"), on_demand=bool(state.get("on_demand")),
        managed=True, healthy=healthy,
        log_path=Path(state["log"]) if state.get("log") else None,
        watchdog_pid=state.get("watchdog_pid"),
    )


def _remote_info(url: str, *, require: bool) -> ServerInfo:
    """Health-check a server given by URL; with ``require`` an unhealthy one is an error."""
    version = _runtime.healthy_version(url, HEALTH_TIMEOUT)
    if version is None and require:
        raise GrammarUnavailable(
            f"no LanguageTool server answers at {url}; start it, point {URL_ENV} "
            "elsewhere, or use --no-grammar"
        )
    port = _port_of(url)
    return ServerInfo(url=url, version=version or "unknown", port=port, managed=False,
                      healthy=version is not None)


def _port_of(url: str) -> int | None:
    try:
        return urlsplit(url).port
    except ValueError:
        return None
