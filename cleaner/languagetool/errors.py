"""Grammar errors a user can act on.

Every message is one line that names the fix, because the CLI prints
``cleaner error: <message>`` and the article pipeline logs it once and goes on
without grammar (``--no-grammar`` behaviour) when the server is unavailable.
"""

from __future__ import annotations

from pathlib import Path

from cleaner.errors import CleanerError

JAVA_HINT = (
    "install it (Debian: apt-get install openjdk-17-jre-headless) or run with --no-grammar"
)


class GrammarError(CleanerError):
    """Base class for everything LanguageTool-related."""


class JavaMissing(GrammarError):
    """No usable Java runtime (missing, or older than 17)."""

    def __init__(self, found: str | None = None) -> None:
        if found is None:
            super().__init__(f"Java 17 or newer is needed for LanguageTool; {JAVA_HINT}")
        else:
            super().__init__(
                f"Java 17 or newer is needed for LanguageTool (found {found}); {JAVA_HINT}"
            )


class MavenMissing(GrammarError):
    """``mvn`` is not on PATH, so LanguageTool cannot be fetched from Maven Central."""

    def __init__(self) -> None:
        super().__init__(
            "Maven (mvn) is needed to install LanguageTool from Maven Central; "
            "install it (Debian: apt-get install maven) or run with --no-grammar"
        )


class MavenFailed(GrammarError):
    """Maven ran but could not resolve or copy the LanguageTool jars."""

    def __init__(self, version: str, last_line: str, log_path: Path) -> None:
        self.last_line = last_line
        self.log_path = log_path
        super().__init__(
            f"Maven could not install LanguageTool {version}: {last_line} (full output: {log_path})"
        )


class InvalidVersion(GrammarError):
    """A version string that cannot be a LanguageTool release (it ends up in paths and XML)."""

    def __init__(self, version: str) -> None:
        super().__init__(f"'{version}' is not a LanguageTool version number (example: 6.6)")


class LanguageToolNotInstalled(GrammarError):
    """The requested version has no finished install in the cache."""

    def __init__(self, version: str) -> None:
        self.version = version
        super().__init__(
            f"LanguageTool {version} is not installed; "
            "run `cleaner languagetool install` or use --no-grammar"
        )


class ServerStartError(GrammarError):
    """The LanguageTool server could not be started."""


class PortInUse(ServerStartError):
    """The requested port is already bound by another process."""

    def __init__(self, port: int) -> None:
        self.port = port
        super().__init__(
            f"port {port} on 127.0.0.1 is already in use; "
            "pick another with --port or leave it out to use a free one"
        )


class ServerNotHealthy(ServerStartError):
    """The JVM started but did not answer a check request in time (it has been killed)."""

    def __init__(self, seconds: float, log_path: Path, pid: int | None) -> None:
        self.log_path = log_path
        self.pid = pid
        super().__init__(
            f"LanguageTool server did not become healthy within {seconds:g} s; see {log_path}"
        )


class ServerAlreadyRunning(ServerStartError):
    """``start`` was asked for while a managed server is alive."""

    def __init__(self, version: str, url: str, pid: int) -> None:
        super().__init__(
            f"a LanguageTool {version} server is already running at {url} (pid {pid}); "
            "stop it with `cleaner languagetool stop` first"
        )


class GrammarUnavailable(GrammarError):
    """The server cannot be reached (never started, died, or stopped answering).

    Callers catch this and continue the run without grammar checks.
    """


class GrammarRequestError(GrammarError):
    """The server answered but rejected one text (too long, bad rule id, ...)."""
