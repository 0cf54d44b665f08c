"""Errors a user can act on. Each message is one sentence naming the file, the place and the fix."""

from __future__ import annotations

import json


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


def json_error_place(exc: json.JSONDecodeError, where: str) -> str:
    """The decoder's message and where: some messages already end in "at" ("Unterminated string starting at").

    >>> json_error_place(json.JSONDecodeError("Unterminated string starting at", '"ab', 0), "column 1")
    'Unterminated string starting at column 1'
    """
    return f"{exc.msg} {where}" if exc.msg.endswith(" at") else f"{exc.msg} at {where}"
