"""Rule files: YAML data that says what to detect and what to do about it.

A rule file holds ``rules:``, a list of rules. Each rule has an ``id``, a
``category``, a ``severity``, a ``message``, an ``action``, a ``scope`` and one
matcher: ``pattern`` (a regular expression), ``phrases`` (a phrase list) or
``check`` (a built-in check, with ``params``). Its ``examples`` (``match`` /
``no_match``) are its tests. Every mistake is reported with the file, the line
and the rule id.

A file may also say ``domains: [example.com]`` at the top: its rules then apply
only to articles whose ``url`` is on one of those sites (or their subdomains),
so one site's template boilerplate never touches another site's scrapes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from cleaner.checks import BUILTIN_CHECKS
from cleaner.checks.registry import Check
from cleaner.errors import RuleFileError
from cleaner.model import Action, Scope, Severity

KNOWN_KEYS = frozenset({
    "id", "category", "severity", "message", "description", "action", "scope", "pattern", "phrases",
    "check", "params", "match", "expand", "replacement", "ignorecase", "examples", "enabled", "fix_title",
})
MATCHERS = ("pattern", "phrases", "check")
EXPANDS = ("none", "line", "paragraph", "sentence")
PHRASE_MODES = ("line", "anywhere", "line-start")
_ID = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$")
_CATEGORY = re.compile(r"^[a-z][a-z0-9_-]*$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class Examples:
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteOverride:
    """A project's change to one rule for one site (``[sites."example.com"]`` in the config)."""

    domain: str
    enabled: bool | None = None
    severity: Severity | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: Severity
    action: Action
    scope: Scope
    message: str
    path: str
    line: int
    description: str = ""
    pattern: re.Pattern[str] | None = None
    phrases: tuple[str, ...] = ()
    phrase_mode: str = "line"
    check: Check | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    expand: str = "none"
    replacement: str | None = None
    ignorecase: bool = True
    examples: Examples = Examples()
    enabled: bool = True
    fix_title: str = ""
    domains: tuple[str, ...] = ()  # empty: every site; else only articles whose url is on one of these
    sites: tuple[SiteOverride, ...] = ()

    @property
    def matcher_kind(self) -> str:
        return "pattern" if self.pattern else "phrases" if self.phrases else "check"


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of every mapping and key, and refuses duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in lines:
                raise RuleFileError(self.name, key_node.start_mark.line + 1, f"duplicate key '{key}'")
            lines[key] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = lines
        return mapping


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k not in ("__line__", "__lines__")}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def parse_rule_file(text: str, path: str) -> list[Rule]:
    """Parse and validate the YAML text of one rule file."""
    loader = _LineLoader(text)
    loader.name = path
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise RuleFileError(path, line, f"is not valid YAML ({exc.problem})") from None
    except yaml.YAMLError as exc:
        raise RuleFileError(path, None, f"is not valid YAML ({exc})") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RuleFileError(path, 1, "must be a mapping with a 'rules:' list")
    extra = set(data) - {"rules", "domains", "__line__", "__lines__"}
    if extra:
        key = sorted(extra)[0]
        raise RuleFileError(path, data["__lines__"][key],
                            f"unknown top-level key '{key}' (only 'rules' and 'domains' are allowed)")
    domains = parse_domains(data["domains"], path, data["__lines__"]["domains"]) if "domains" in data else ()
    rules = []
    for item in data["rules"]:
        if not isinstance(item, dict):
            raise RuleFileError(path, None, "every entry under 'rules:' must be a mapping with an 'id'")
        rules.append(dataclasses.replace(_build_rule(item, path), domains=domains))
    return rules


def parse_domains(value: Any, path: str, line: int | None) -> tuple[str, ...]:
    """Validate a ``domains:`` list: bare host names such as ``example.com``, lower-cased."""
    if isinstance(value, str):
        raise RuleFileError(path, line, f"'domains' must be a list of domain names, like [{value}], not a string")
    if not isinstance(value, list):
        raise RuleFileError(path, line, f"'domains' must be a list of domain names, like [example.com], "
                                        f"not {_yaml_type(type(value).__name__)}")
    if not value:
        raise RuleFileError(path, line, "'domains' is empty; remove it to apply these rules to every site")
    out = []
    for entry in value:
        if not isinstance(entry, str):
            raise RuleFileError(path, line, f"'domains' entries must be strings (got {_yaml_type(type(entry).__name__)} "
                                            f"{entry!r})")
        domain = entry.strip().lower().rstrip(".")
        if domain.startswith("*."):
            raise RuleFileError(path, line, f"'domains' entry '{entry}': write '{domain[2:]}'; a domain "
                                            "already covers its subdomains")
        if not _DOMAIN.match(domain):
            host = host_of(entry)
            hint = f"; write it as '{host}'" if host and _DOMAIN.match(host) else ""
            raise RuleFileError(path, line, f"'domains' entry '{entry}' is not a domain name like example.com "
                                            f"(no scheme, path or port){hint}")
        out.append(domain)
    return tuple(out)


def host_of(url: str | None) -> str | None:
    """The lower-case host name of ``url`` (a scheme is optional).

    >>> host_of("https://WWW.Example.com:8080/news/1"), host_of("example.com/a"), host_of(None)
    ('www.example.com', 'example.com', None)
    """
    if not url or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlsplit(url if "//" in url else "//" + url)
        return parts.hostname or None
    except ValueError:
        return None


def on_site(host: str | None, domain: str) -> bool:
    """True when ``host`` is ``domain`` or one of its subdomains."""
    return host is not None and (host == domain or host.endswith("." + domain))


def rules_for_url(rules: Sequence[Rule], url: str | None) -> Sequence[Rule]:
    """The rules as they apply to an article from ``url``: site-scoped rules of other
    sites left out, per-site config overrides applied."""
    if not any(r.domains or r.sites for r in rules):
        return rules
    host = host_of(url)
    out = []
    for rule in rules:
        if rule.domains and not any(on_site(host, d) for d in rule.domains):
            continue
        for override in rule.sites:
            if on_site(host, override.domain):
                changes: dict[str, Any] = {}
                if override.enabled is not None:
                    changes["enabled"] = override.enabled
                if override.severity is not None:
                    changes["severity"] = override.severity
                rule = dataclasses.replace(rule, **changes)
        out.append(rule)
    return out


class _RuleSpec:
    """Reads one rule mapping, raising errors that name the file, line and rule id."""

    def __init__(self, raw: dict[str, Any], path: str) -> None:
        self.raw, self.path = raw, path
        self.lines: dict[str, int] = raw.get("__lines__", {})
        self.rule_id = raw.get("id") if isinstance(raw.get("id"), str) else None

    def fail(self, key: str | None, message: str) -> RuleFileError:
        line = self.lines.get(key, self.raw.get("__line__")) if key else self.raw.get("__line__")
        return RuleFileError(self.path, line, message, self.rule_id)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        if key not in self.raw:
            if required:
                raise self.fail(None, f"is missing the required key '{key}'")
            return default
        value = self.raw[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(key, f"'{key}' must be a {_yaml_type(names)}, not {_yaml_type(type(value).__name__)}")
        return value

    def choice(self, key: str, enum: Iterable[str], default: str | None = None) -> str:
        allowed = list(enum)
        value = self.get(key, str, default, required=default is None)
        if value not in allowed:
            raise self.fail(key, f"'{key}' must be one of {', '.join(allowed)} (got '{value}')")
        return value


def _yaml_type(name: str) -> str:
    return {"str": "string", "dict": "mapping", "list": "list", "bool": "boolean", "int": "number",
            "float": "number", "NoneType": "null"}.get(name, name)


def _build_rule(raw: dict[str, Any], path: str) -> Rule:
    spec = _RuleSpec(raw, path)
    unknown = [k for k in raw if k not in KNOWN_KEYS and not k.startswith("__")]
    if unknown:
        raise spec.fail(unknown[0], f"unknown key '{unknown[0]}' (known keys: {', '.join(sorted(KNOWN_KEYS))})")
    rule_id = spec.get("id", str, required=True)
    if not _ID.match(rule_id):
        raise spec.fail("id", f"id '{rule_id}' must look like 'category.name' (lower case, dots between parts)")
    category = spec.get("category", str, required=True)
    if not _CATEGORY.match(category):
        raise spec.fail("category", f"category '{category}' must be one lower-case word")
    action = Action(spec.choice("action", [a.value for a in Action]))
    matchers = [m for m in MATCHERS if m in raw]
    if len(matchers) != 1:
        raise spec.fail(matchers[1] if len(matchers) > 1 else None,
                        "needs exactly one matcher: 'pattern', 'phrases' or 'check'")
    ignorecase = spec.get("ignorecase", bool, True)
    replacement = spec.get("replacement", str)
    if action is Action.REPLACE and replacement is None and matchers[0] != "check":
        raise spec.fail("action", "action 'replace' needs a 'replacement'")
    kwargs: dict[str, Any] = {}
    if matchers[0] == "pattern":
        kwargs["pattern"] = _compile(spec, spec.get("pattern", str), ignorecase)
    elif matchers[0] == "phrases":
        phrases = spec.get("phrases", list)
        if not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise spec.fail("phrases", "'phrases' must be a non-empty list of non-empty strings")
        kwargs["phrases"] = tuple(phrases)
        kwargs["phrase_mode"] = spec.choice("match", PHRASE_MODES, "line")
    else:
        kwargs.update(_check_and_params(spec))
    return Rule(
        id=rule_id, category=category,
        severity=Severity(spec.choice("severity", [s.value for s in Severity])),
        action=action, scope=Scope(spec.choice("scope", [s.value for s in Scope], "line")),
        message=spec.get("message", str, required=True), path=path, line=raw.get("__line__", 0),
        description=spec.get("description", str, ""), expand=spec.choice("expand", EXPANDS, "none"),
        replacement=replacement, ignorecase=ignorecase, examples=_examples(spec),
        enabled=spec.get("enabled", bool, True), fix_title=spec.get("fix_title", str, ""), **kwargs,
    )


def _compile(spec: _RuleSpec, pattern: str, ignorecase: bool) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE if ignorecase else 0)
    except re.error as exc:
        raise spec.fail("pattern", f"'pattern' is not a valid regular expression ({exc})") from None


def _check_and_params(spec: _RuleSpec) -> dict[str, Any]:
    name = spec.get("check", str)
    if name not in BUILTIN_CHECKS:
        raise spec.fail("check", f"unknown check '{name}' (built-in checks: {', '.join(sorted(BUILTIN_CHECKS))})")
    check = BUILTIN_CHECKS[name]
    params = _strip_lines(spec.get("params", dict, {}))
    for key, value in params.items():
        if key not in check.params:
            raise spec.fail("params", f"check '{name}' has no parameter '{key}' (it has: {', '.join(sorted(check.params)) or 'none'})")
        default = check.params[key]
        if default is not None and not _same_kind(default, value):
            raise spec.fail("params", f"parameter '{key}' of check '{name}' must be a {_yaml_type(type(default).__name__)}")
    for key in ("patterns",):
        if key in params:
            _validate_patterns(spec, params[key])
    return {"check": check, "params": params}


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _validate_patterns(spec: _RuleSpec, patterns: Any) -> None:
    values = patterns.values() if isinstance(patterns, dict) else patterns
    for value in values:
        for pattern in value if isinstance(value, list) else [value]:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise spec.fail("params", f"pattern {pattern!r} in 'params' is not a valid regular expression ({exc})") from None


def _examples(spec: _RuleSpec) -> Examples:
    raw = _strip_lines(spec.get("examples", dict, required=True))
    extra = set(raw) - {"match", "no_match"}
    if extra:
        raise spec.fail("examples", f"'examples' takes only 'match' and 'no_match' (got '{sorted(extra)[0]}')")
    match, no_match = raw.get("match", []), raw.get("no_match", [])
    for key, items in (("match", match), ("no_match", no_match)):
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise spec.fail("examples", f"'examples.{key}' must be a list of strings")
    if not match:
        raise spec.fail("examples", "needs at least one 'examples.match' case (examples are the rule's tests)")
    return Examples(tuple(match), tuple(no_match))


def default_rules_dir() -> Path:
    """The rule files shipped with cleaner (``rules/``, installed as ``cleaner/builtin_rules``)."""
    return Path(str(resources.files("cleaner").joinpath("builtin_rules"))).resolve()


def display_path(path: Path) -> str:
    """A path as users should see it: relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def rule_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())
    return [path]


def load_rules(paths: Sequence[Path] = (), *, defaults: bool = True) -> list[Rule]:
    """Load the default rules (unless ``defaults=False``) and every rule file under ``paths``.

    A later rule with the same id as an earlier one is an error: ids name findings.
    """
    sources = ([default_rules_dir()] if defaults else []) + list(paths)
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    for source in sources:
        if not source.exists():
            raise RuleFileError(str(source), None, "does not exist; give a rule file or a folder of .yml files")
        for file in rule_files(source):
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise RuleFileError(str(file), None, f"cannot be read ({exc})") from None
            for rule in parse_rule_file(text, display_path(file)):
                if rule.id in seen:
                    first = seen[rule.id]
                    raise RuleFileError(str(file), rule.line, f"duplicate rule id (first defined at {first.path}:{first.line})", rule.id)
                seen[rule.id] = rule
                rules.append(rule)
    return rules
