"""Low-level helpers shared by install, server and watchdog: Java, processes, ports, locks, HTTP.

Kept free of policy so the watchdog (a separate, long-lived process) imports little.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import http.client
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cleaner.languagetool.errors import (
    JavaMissing,
    PortInUse,
    ServerNotHealthy,
    ServerStartError,
)

MIN_JAVA = 17
SERVER_CLASS = "org.languagetool.server.HTTPServer"
HEALTH_TEXT = "This is a test."

# Detached children are kept referenced so Popen.__del__ never warns about a
# "still running" process: outliving this interpreter is the point.
_CHILDREN: list[subprocess.Popen[bytes]] = []


# --- Java ---------------------------------------------------------------------------------

def find_java() -> str:
    """Return a Java >= 17 executable: ``$JAVA_HOME/bin/java`` first, then ``java`` on PATH."""
    candidates: list[str] = []
    home = os.environ.get("JAVA_HOME")
    if home:
        candidates.append(str(Path(home) / "bin" / "java"))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    too_old: str | None = None
    for exe in candidates:
        if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
            continue
        major = java_major(exe)
        if major is not None and major >= MIN_JAVA:
            return exe
        if too_old is None:
            too_old = f"Java {major} at {exe}" if major else f"an unusable {exe}"
    raise JavaMissing(too_old)


@functools.lru_cache(maxsize=8)
def java_major(exe: str) -> int | None:
    """Major version from ``java -version`` (cached: each call starts a JVM)."""
    try:
        out = subprocess.run(
            [exe, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major  # "1.8.0" means Java 8


# --- processes ----------------------------------------------------------------------------

def spawn_detached(cmd: list[str], log_path: Path, cwd: Path,
                   env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start ``cmd`` in its own session (no terminal, survives us), output to ``log_path``.

    The log is truncated: it then holds only this process's output, which is what a
    "see <log>" error message should point at.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(  # fixed argv built by this package
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            cwd=cwd, env=env, start_new_session=True, close_fds=True,
        )
    _CHILDREN[:] = [c for c in _CHILDREN if c.poll() is None]  # reap finished ones
    _CHILDREN.append(proc)
    return proc


def pid_alive(pid: int) -> bool:
    """True if ``pid`` runs and is not a zombie (reaping it first if we spawned it)."""
    if pid <= 0:  # 0 and negatives address process groups, never a single server
        return False
    for child in _CHILDREN:
        if child.pid == pid and child.poll() is not None:
            _CHILDREN.remove(child)
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def is_languagetool(pid: int) -> bool:
    """Guard against pid reuse: the process must be alive and run LanguageTool's HTTPServer."""
    return runs(pid, SERVER_CLASS)


def runs(pid: int, marker: str) -> bool:
    """True if ``pid`` is alive and ``marker`` is part of its command line."""
    if not pid_alive(pid):
        return False
    try:
        return marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # no procfs (macOS): trust kill(0)
    except OSError:
        return False


def terminate(pid: int, grace: float = 10.0) -> None:
    """SIGTERM, wait up to ``grace`` seconds, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + (grace if sig == signal.SIGTERM else 5.0)
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.05)


# --- ports & locks ------------------------------------------------------------------------

def free_port() -> int:
    """A port the kernel just handed out on 127.0.0.1 (tiny race until the JVM binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_free(port: int) -> bool:
    """True if nothing is bound to ``127.0.0.1:port`` (the address HTTPServer uses)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as e:
            if e.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


class LockBusy(Exception):
    """Another process holds the lock longer than the caller wanted to wait."""


@contextlib.contextmanager
def file_lock(path: Path, timeout: float | None) -> Iterator[None]:
    """Exclusive ``flock`` on ``path``; raises LockBusy after ``timeout`` s (0 = try once).

    The kernel drops the lock when the holder dies, so a crashed process never wedges others.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise LockBusy(f"lock {path} is held by another process") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


# --- JSON state & HTTP --------------------------------------------------------------------

def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``, or None if it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically (temp file + rename) so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def normalize_url(url: str) -> str:
    """``host:port``, ``http://host:port/`` or ``.../v2`` all become ``http://host:port``."""
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    url = url.rstrip("/")
    return url.removesuffix("/v2")


def is_loopback(url: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: such URLs must never go through a proxy."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_request(url: str, timeout: float) -> str:
    """POST a tiny real check to ``url``; return the server's LanguageTool version.

    A real check (not ``/v2/healthcheck``) proves rules are loaded, and on a fresh JVM it
    also pays the multi-second warm-up so the first article does not. Raises OSError.
    """
    body = urllib.parse.urlencode({"language": "en-US", "text": HEALTH_TEXT}).encode()
    handlers = [urllib.request.ProxyHandler({})] if is_loopback(url) else []
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(f"{url}/v2/check", data=body, timeout=timeout) as resp:
            data = json.loads(resp.read().decode("utf-8"))
    except (ValueError, http.client.HTTPException) as e:
        raise OSError(f"{url} did not answer like a LanguageTool server") from e
    if not isinstance(data, dict) or "matches" not in data:
        raise OSError(f"{url} did not answer like a LanguageTool server")
    return str(data.get("software", {}).get("version", "unknown"))


def healthy_version(url: str, timeout: float = 15.0) -> str | None:
    """The server's version if a check request succeeds within ``timeout``, else None."""
    try:
        return check_request(url, timeout)
    except (OSError, urllib.error.URLError):
        return None


# --- the LanguageTool JVM -----------------------------------------------------------------

LOGBACK_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{yyyy-MM-dd HH:mm:ss.SSS ZZZZ} %-5level %logger %msg%n</pattern></encoder>
  </appender>
  <logger name="org.languagetool.server.TextChecker" level="WARN"/>
  <logger name="org.languagetool.server.LanguageToolHttpHandler" level="WARN"/>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
</configuration>
"""


def launch_server(lib_dir: Path, port: int, xmx: str, log_path: Path
                  ) -> subprocess.Popen[bytes]:
    """Start LanguageTool's HTTPServer on ``127.0.0.1:port``, detached.

    Without ``--public`` HTTPServer binds to localhost only (checked with ``ss``: it listens
    on 127.0.0.1).  No ``--allow-origin``: web pages open in a local browser must not be able to use it.
    The logging config drops the three INFO lines LanguageTool writes per request, which
    would otherwise grow the log by ~45 MB per 100,000 articles.
    """
    logback = log_path.with_name("logback.xml")
    logback.write_text(LOGBACK_XML, encoding="utf-8")
    cmd = [find_java(), f"-Xmx{xmx}", f"-Dlogback.configurationFile={logback}",
           "-cp", f"{lib_dir}/*", SERVER_CLASS, "--port", str(port)]
    return spawn_detached(cmd, log_path, cwd=log_path.parent)


def wait_healthy(proc: subprocess.Popen[bytes], port: int, wait: float, log_path: Path) -> str:
    """Block until a real check request succeeds; return the version the server reports.

    On failure the JVM is killed (never left half-started) and the error names the cause:
    the port was taken, the JVM exited, or it was too slow (with the log path).
    """
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
    while True:
        code = proc.poll()
        if code is not None:
            tail = log_tail(log_path)
            if "BindException" in tail or "Address already in use" in tail:
                raise PortInUse(port)
            raise ServerStartError(
                f"LanguageTool server exited with code {code} while starting; see {log_path}"
            )
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            terminate(proc.pid)
            raise ServerNotHealthy(wait, log_path, proc.pid)
        try:
            return check_request(url, timeout=remaining)
        except OSError:
            time.sleep(min(0.2, max(remaining, 0.0)))


def log_tail(path: Path, size: int = 8192) -> str:
    """Last ``size`` bytes of a log file, decoded leniently ('' if missing)."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - size))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""
