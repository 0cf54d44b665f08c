"""Project configuration: ``cleaner.toml`` or ``[tool.cleaner]`` in ``pyproject.toml``.

Keys (all optional)::

    rules = ["my-rules/"]          # extra rule files or folders, relative to the config file
    default_rules = true           # load the rules shipped with cleaner
    disable = ["boilerplate.byline-line"]
    severity = {"garbled.sentence" = "error"}
    fail_on = "error"              # audit's default threshold
    text_field = "body"            # JSON/JSONL field holding the article text
    [fields]                       # record field names, first present wins (text, title, author, url, date, id)
    author = ["byline", "writer"]
    grammar = true                 # check grammar with LanguageTool
    languagetool_url = "http://lt.example:8081"   # use this LanguageTool server instead of a local one
    baseline = "cleaner-baseline.json"   # audit's default --baseline

    [sites."example.com"]          # only for articles whose url is on example.com (or a subdomain)
    rules = ["rules/example.yml"]  # rule files for this site alone
    disable = ["garbled.sentence"]
    severity = {"boilerplate.site-chrome" = "warning"}

Command-line options win over the file. A config file is found in the working
folder (``cleaner.toml`` first, then ``pyproject.toml`` with a ``[tool.cleaner]``
table) or given with ``--config``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.errors import ConfigError, RuleFileError
from cleaner.model import Severity
from cleaner.read import FieldNames
from cleaner.rules import Rule, SiteOverride, load_rules, parse_domains

KEYS = {"rules", "default_rules", "disable", "severity", "fail_on", "text_field", "grammar", "languagetool_url",
        "fields", "baseline", "sites"}
SITE_KEYS = {"rules", "disable", "severity"}


@dataclass(frozen=True)
class Site:
    """What a project changes for one site's articles."""

    domain: str
    rules: tuple[Path, ...] = ()
    disable: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    rules: tuple[Path, ...] = ()
    default_rules: bool = True
    disable: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: str | None = None
    text_field: str | None = None
    grammar: bool = True
    languagetool_url: str | None = None
    fields: FieldNames = FieldNames()
    baseline: Path | None = None
    sites: tuple[Site, ...] = ()

    def apply(self, rules: Sequence[Rule]) -> list[Rule]:
        """The rules with this config's disabled ids switched off and severities changed,
        plus each site's own rule files (scoped to that site) and per-site overrides."""
        rules = list(rules)
        for site in self.sites:
            if site.rules:
                try:
                    scoped = load_rules(site.rules, defaults=False)
                except RuleFileError as exc:
                    raise ConfigError(f"{exc} (named in {self.path} for site {site.domain})") from None
                ids = {r.id for r in rules}
                for rule in scoped:
                    if rule.id in ids:
                        raise ConfigError(f"{rule.path}:{rule.line}: rule '{rule.id}' (a rule file of site "
                                          f"{site.domain} in {self.path}) has the id of another rule; rename it")
                rules += [dataclasses.replace(r, domains=(site.domain,)) for r in scoped]
        known = {r.id for r in rules}
        for where, ids in [("", [*self.disable, *self.severity])] + [
                (f" (in [sites.\"{s.domain}\"])", [*s.disable, *s.severity]) for s in self.sites]:
            for rule_id in ids:
                if rule_id not in known:
                    raise ConfigError(f"{self.path}: no rule has the id '{rule_id}'{where}; "
                                      "`cleaner rules list` shows them all")
        out = []
        for rule in rules:
            if rule.id in self.disable:
                rule = dataclasses.replace(rule, enabled=False)
            if rule.id in self.severity:
                rule = dataclasses.replace(rule, severity=self.severity[rule.id])
            overrides = tuple(SiteOverride(s.domain, False if rule.id in s.disable else None, s.severity.get(rule.id))
                              for s in self.sites if rule.id in s.disable or rule.id in s.severity)
            if overrides:
                rule = dataclasses.replace(rule, sites=rule.sites + overrides)
            out.append(rule)
        return out


def find_config(folder: Path) -> Path | None:
    own = folder / "cleaner.toml"
    if own.is_file():
        return own
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        try:
            if "cleaner" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                return pyproject
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return None  # someone else's broken pyproject is not ours to report
    return None


def load_config(path: Path | None = None, *, search: Path | None = None) -> Config:
    """Read ``path`` (or the config found in ``search``); no file means the defaults."""
    path = path or find_config(search or Path.cwd())
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: is not valid TOML ({exc})") from None
    table = data.get("tool", {}).get("cleaner", {}) if path.name == "pyproject.toml" else data
    return _parse(table, path)


def _parse(table: Mapping[str, Any], path: Path) -> Config:
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key '{unknown[0]}' (known keys: {', '.join(sorted(KEYS))})")
    rules = _strings(table, "rules", path)
    levels = _levels(table, path)
    fail_on = table.get("fail_on")
    if fail_on is not None and fail_on not in ("error", "warning", "info", "never"):
        raise ConfigError(f"{path}: 'fail_on' must be error, warning, info or never (got '{fail_on}')")
    default_rules = table.get("default_rules", True)
    if not isinstance(default_rules, bool):
        raise ConfigError(f"{path}: 'default_rules' must be true or false")
    for key, kind in (("text_field", str), ("languagetool_url", str), ("grammar", bool), ("baseline", str)):
        if key in table and not isinstance(table[key], kind):
            raise ConfigError(f"{path}: '{key}' must be a {'string' if kind is str else 'true or false'}")
    fields = table.get("fields", {})
    known_fields = {f.name for f in dataclasses.fields(FieldNames)}
    if not isinstance(fields, dict) or not set(fields) <= known_fields:
        raise ConfigError(f"{path}: 'fields' must be a table with keys among {', '.join(sorted(known_fields))}")
    names = {key: tuple(_strings(fields, key, path)) for key in fields}
    return Config(
        path=path, rules=tuple((path.parent / r) for r in rules), default_rules=default_rules,
        fields=dataclasses.replace(FieldNames(), **names),
        disable=frozenset(_strings(table, "disable", path)), severity=levels, fail_on=fail_on,
        text_field=table.get("text_field"), grammar=table.get("grammar", True),
        languagetool_url=table.get("languagetool_url"),
        baseline=path.parent / table["baseline"] if "baseline" in table else None,
        sites=_sites(table.get("sites", {}), path),
    )


def _levels(table: Mapping[str, Any], path: Path, where: str = "") -> dict[str, Severity]:
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f"{path}: 'severity'{where} must be a table of rule id = level")
    levels = {}
    for rule_id, level in severity.items():
        if level not in {s.value for s in Severity}:
            raise ConfigError(f"{path}: severity of '{rule_id}'{where} must be error, warning or info (got '{level}')")
        levels[rule_id] = Severity(level)
    return levels


def _sites(table: Any, path: Path) -> tuple[Site, ...]:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: 'sites' must be a table of [sites.\"example.com\"] tables")
    out = []
    for name, site in table.items():
        where = f' in [sites."{name}"]'
        try:
            (domain,) = parse_domains([name], str(path), None)
        except RuleFileError:
            raise ConfigError(f'{path}: [sites."{name}"] does not name a site; use a domain name like '
                              '[sites."example.com"] (no scheme, path or port)') from None
        if not isinstance(site, dict):
            raise ConfigError(f"{path}: site \"{name}\" must be a table with rules, disable or severity")
        unknown = sorted(set(site) - SITE_KEYS)
        if unknown:
            raise ConfigError(f"{path}: unknown key '{unknown[0]}'{where} (known keys: {', '.join(sorted(SITE_KEYS))})")
        out.append(Site(domain, tuple(path.parent / r for r in _strings(site, "rules", path, where)),
                        frozenset(_strings(site, "disable", path, where)), _levels(site, path, where)))
    return tuple(out)


def _strings(table: Mapping[str, Any], key: str, path: Path, where: str = "") -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: '{key}'{where} must be a list of strings")
    return value
