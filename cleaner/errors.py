"""Errors a user can act on. Each message is one sentence naming the file, the place and the fix."""

from __future__ import annotations


class CleanerError(Exception):
    """Base class: the CLI prints ``cleaner error: <message>`` and exits 2, never a traceback."""


class InputError(CleanerError):
    """An input file or record cannot be read as an article."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class RuleFileError(CleanerError):
    """A rule file is not valid; names the file, the line and (when known) the rule id."""

    def __init__(self, path: str, line: int | None, message: str, rule_id: str | None = None) -> None:
        self.path = path
        self.line = line
        self.rule_id = rule_id
        self.detail = message
        where = f"{path}:{line}" if line else path
        rule = f" rule '{rule_id}':" if rule_id else ""
        super().__init__(f"{where}:{rule} {message}")


class ConfigError(CleanerError):
    """A configuration file or option is not valid."""
