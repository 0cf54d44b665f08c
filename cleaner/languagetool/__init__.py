"""LanguageTool grammar checking: install from Maven Central, run a shared local server, check.

Typical use::

    from cleaner.languagetool import open_checker, GrammarUnavailable

    checker = open_checker()            # reuses or starts the server (idle-stops after 300 s)
    for m in checker.check(text):       # offsets are Python string indices
        print(text[m.offset:m.offset + m.length], m.rule_id, m.message)
"""

from cleaner.languagetool.client import GrammarChecker, GrammarMatch, open_checker
from cleaner.languagetool.errors import (
    GrammarError,
    GrammarRequestError,
    GrammarUnavailable,
    InvalidVersion,
    JavaMissing,
    LanguageToolNotInstalled,
    MavenFailed,
    MavenMissing,
    PortInUse,
    ServerAlreadyRunning,
    ServerNotHealthy,
    ServerStartError,
)
from cleaner.languagetool.install import (
    DEFAULT_VERSION,
    Installation,
    cache_dir,
    find_installation,
    install,
    require_installation,
)
from cleaner.languagetool.server import (
    DEFAULT_IDLE_TIMEOUT,
    URL_ENV,
    Keepalive,
    ServerInfo,
    ensure_server,
    server_status,
    start_server,
    state_path,
    stop_server,
)

__all__ = [
    "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_VERSION",
    "URL_ENV",
    "GrammarChecker",
    "GrammarError",
    "GrammarMatch",
    "GrammarRequestError",
    "GrammarUnavailable",
    "Installation",
    "InvalidVersion",
    "JavaMissing",
    "Keepalive",
    "LanguageToolNotInstalled",
    "MavenFailed",
    "MavenMissing",
    "PortInUse",
    "ServerAlreadyRunning",
    "ServerInfo",
    "ServerNotHealthy",
    "ServerStartError",
    "cache_dir",
    "ensure_server",
    "find_installation",
    "install",
    "open_checker",
    "require_installation",
    "server_status",
    "start_server",
    "state_path",
    "stop_server",
]
