"""Idle stop for on-demand LanguageTool servers.

Usage: ``python -m cleaner.languagetool.watchdog STATE_FILE PID``.

Runs detached next to the server it guards. It polls the state file and

* exits when the state file is gone or names another server (stopped or replaced),
* removes the state file and exits when the server died,
* kills the server and removes the state file once ``now - last_used > idle_timeout``.

The kill happens under the server lock after re-reading the state, so a client that has
just reused the server (and refreshed ``last_used`` under the same lock) is never cut off.
A separate process (rather than a thread in the JVM's parent) is needed because the
``cleaner`` run that started the server exits long before the server should.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cleaner.languagetool import _runtime


def poll_interval(idle_timeout: float | None) -> float:
    """Check often enough to stop within ~20 % of the timeout, but never busy-loop."""
    if idle_timeout is None:
        return 5.0
    return min(5.0, max(0.25, idle_timeout / 5))


def watch(state_file: Path, pid: int) -> str:
    """Loop until the server is gone; return why (for the log)."""
    lock = state_file.with_name("server.lock")
    while True:
        state = _runtime.read_json(state_file)
        if state is None or state.get("pid") != pid:
            return "state file gone or replaced"
        if not _runtime.is_languagetool(pid):
            with _runtime.file_lock(lock, timeout=None):
                if (_runtime.read_json(state_file) or {}).get("pid") == pid:
                    state_file.unlink(missing_ok=True)
            return "server died"
        idle = state.get("idle_timeout")
        if isinstance(idle, (int, float)) and time.time() - float(state["last_used"]) > idle:
            with _runtime.file_lock(lock, timeout=None):
                state = _runtime.read_json(state_file) or {}
                if state.get("pid") != pid:
                    return "state file gone or replaced"
                if time.time() - float(state["last_used"]) > idle:
                    _runtime.terminate(pid)
                    state_file.unlink(missing_ok=True)
                    return f"stopped after {idle:g} s idle"
        time.sleep(poll_interval(idle if isinstance(idle, (int, float)) else None))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m cleaner.languagetool.watchdog STATE_FILE PID", file=sys.stderr)
        return 2
    reason = watch(Path(argv[0]), int(argv[1]))
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} watchdog for pid {argv[1]}: {reason}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
