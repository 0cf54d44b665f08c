from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from cleaner.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "ap-biden-putin-spun.txt"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def grammar():
    """A checker on the real LanguageTool server, configured by the default rule files.

    Installs LanguageTool (a no-op when present) and reuses or starts the shared
    server; if that fails the tests that need it fail, they are not skipped.
    """
    from cleaner.languagetool import install, open_checker
    from cleaner.pipeline import languagetool_options
    from cleaner.rules import load_rules

    install()
    return open_checker(**languagetool_options(load_rules()))


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return Pipeline.load()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: run ./scripts/setup.sh (it installs Debian's chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
