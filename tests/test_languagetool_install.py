"""Installing LanguageTool with Maven: no-op reuse, a real fresh install, and the error paths.

The no-op test uses the real per-user install (``$CLEANER_CACHE_DIR`` if set). The fresh
install test copies the jars from Maven's local repository (~/.m2), so it never downloads
245 MB again; error paths use empty temporary caches.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli_languagetool import app
from cleaner.languagetool import (
    DEFAULT_VERSION,
    InvalidVersion,
    JavaMissing,
    LanguageToolNotInstalled,
    MavenFailed,
    MavenMissing,
    cache_dir,
    find_installation,
    install,
)
from cleaner.languagetool.install import maven_error_line, require_installation

REAL_CACHE = cache_dir()
M2_JAR = (Path.home() / ".m2" / "repository" / "org" / "languagetool" / "languagetool-server"
          / DEFAULT_VERSION / f"languagetool-server-{DEFAULT_VERSION}.jar")


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(cache))
    return cache


def test_install_is_a_noop_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(REAL_CACHE))
    first = install()  # installs on the very first run only
    assert find_installation() == find_installation(DEFAULT_VERSION) is not None
    started = time.monotonic()
    again = install()
    assert time.monotonic() - started < 0.5
    assert again.already_installed is True
    assert (again.path, again.lib_dir, again.version) == (first.path, first.lib_dir, "6.6")
    assert again.path == REAL_CACHE / "languagetool" / "6.6"
    assert any(again.lib_dir.glob("languagetool-server-6.6.jar"))
    marker = json.loads((again.path / "installed.json").read_text())
    assert marker["version"] == "6.6" and marker["jars"] > 100

    result = CliRunner().invoke(app, ["install"])
    assert result.exit_code == 0
    assert result.stdout == f"LanguageTool 6.6 already installed at {again.path}\n"


def test_fresh_install_from_maven(empty_cache: Path) -> None:
    if not M2_JAR.exists():
        pytest.skip(f"{M2_JAR} missing: a fresh install would download 245 MB again")
    try:
        inst = install()
        root = empty_cache / "languagetool"
        assert inst.already_installed is False and inst.path == root / "6.6"
        assert (inst.path / "installed.json").is_file()
        assert len(list(inst.lib_dir.glob("*.jar"))) > 100
        assert "Server started" in (root / "install-6.6-verify.log").read_text()
        assert not list(root.glob(".6.6.*"))  # no temp folders left behind
        assert install().already_installed is True

        again = install(force=True, verify=False)  # replaces the install atomically
        assert again.already_installed is False and (again.path / "installed.json").is_file()
        assert not list(root.glob(".6.6.*"))
    finally:
        shutil.rmtree(empty_cache, ignore_errors=True)  # 245 MB: do not wait for pytest


def test_maven_failure_names_the_cause(empty_cache: Path) -> None:
    with pytest.raises(MavenFailed) as err:
        install("0.0.1", verify=False)
    message = str(err.value)
    assert message.startswith("Maven could not install LanguageTool 0.0.1: ")
    assert "0.0.1" in err.value.last_line and "[Help" not in message and "\n" not in message
    root = empty_cache / "languagetool"
    assert "languagetool-server" in (root / "install-0.0.1.log").read_text()
    assert not (root / "0.0.1").exists() and not list(root.glob(".0.0.1.*"))
    assert find_installation("0.0.1") is None


def test_maven_error_line_skips_boilerplate() -> None:
    output = ("[ERROR] Failed to execute goal: Could not find artifact x -> [Help 1]\n"
              "[ERROR] \n[ERROR] Re-run Maven using the -X switch to enable full debug logging.\n"
              "[ERROR] [Help 1] http://cwiki.apache.org/confluence/display/MAVEN/X\n")
    assert maven_error_line(output, 1) == "Failed to execute goal: Could not find artifact x"
    assert maven_error_line("", 3) == "mvn exited with code 3 and printed nothing"


def test_maven_missing(empty_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    java = shutil.which("java")
    assert java, "these tests need Java 17+ on PATH"
    only_java = tmp_path / "bin"
    only_java.mkdir()
    (only_java / "java").symlink_to(os.path.realpath(java))
    monkeypatch.setenv("PATH", str(only_java))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(MavenMissing, match=r"^Maven \(mvn\) is needed to install LanguageTool"):
        install()
    result = CliRunner().invoke(app, ["install"])
    assert result.exit_code == 2
    assert result.stderr.startswith("cleaner error: Maven (mvn) is needed")


def test_java_missing(empty_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "nowhere"))
    with pytest.raises(JavaMissing) as err:
        install()
    assert str(err.value) == (
        "Java 17 or newer is needed for LanguageTool; install it "
        "(Debian: apt-get install openjdk-17-jre-headless) or run with --no-grammar"
    )


def test_java_too_old(empty_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "old-jdk" / "bin"
    old.mkdir(parents=True)
    (old / "java").write_text('#!/bin/sh\necho \'openjdk version "11.0.2" 2019-01-15\' >&2\n')
    (old / "java").chmod(0o755)
    monkeypatch.setenv("PATH", str(old))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(JavaMissing, match=r"needed for LanguageTool \(found Java 11 at .*old-jdk"):
        install()


def test_not_installed(empty_cache: Path) -> None:
    assert find_installation() is None and find_installation("6.6") is None
    with pytest.raises(LanguageToolNotInstalled) as err:
        require_installation("6.6")
    assert str(err.value) == (
        "LanguageTool 6.6 is not installed; run `cleaner languagetool install` or use --no-grammar"
    )


def test_half_finished_install_is_not_installed(empty_cache: Path) -> None:
    lib = empty_cache / "languagetool" / "6.6" / "lib"
    lib.mkdir(parents=True)  # jars without the installed.json marker
    assert find_installation("6.6") is None


def test_invalid_version(empty_cache: Path) -> None:
    with pytest.raises(InvalidVersion):
        install("../../etc")
    assert not empty_cache.exists()


def test_cache_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("CLEANER_CACHE_DIR")
    assert cache_dir() == tmp_path / "xdg" / "cleaner"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "cleaner"
