"""The review report in a real browser (Playwright driving Debian's headless Chromium).

Opens the seed's report, filters to garbled findings, removes one flagged
sentence with the keyboard, rejects one removal, exports the decisions, and
checks that `cleaner apply` writes exactly the cleaned copy the page
previewed. Screenshots go to the test's folder, or to $CLEANER_SCREENSHOT_DIR.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.review import ReviewServer
from conftest import SEED, SEEDS

CAPTION = "Adam Schultz / White House via AP"
GARBLED = "may not be able to resolve."
runner = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copy(SEED, tmp_path / "seed.txt")
    result = runner.invoke(app, ["clean", "seed.txt", "--no-grammar"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return tmp_path


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CLEANER_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_page(browser: Browser, url: str) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return page, errors


def li_for(page: Page, rule: str, snippet: str):
    return page.locator(f'li.finding[data-rule="{rule}"]').filter(has_text=snippet).first


def test_review_filter_decide_export_apply(browser: Browser, workdir: Path):
    out = shots(workdir)
    report = workdir / "reports" / "seed.html"
    page, errors = open_page(browser, report.as_uri())
    cleaned_by_run = (workdir / "reports" / "seed.cleaned.txt").read_text(encoding="utf-8")
    assert page.locator("#cleaned-text").text_content() == cleaned_by_run, "the preview starts as the run's copy"
    page.screenshot(path=str(out / "1-report.png"))

    # Filter to garbled findings.
    page.select_option("#filter-category", "garbled")
    visible = page.locator("li.finding:visible")
    assert visible.count() == 10
    assert set(visible.evaluate_all("els => els.map(e => e.dataset.category)")) == {"garbled"}
    assert page.locator("#shown-count").text_content() == "10 of 22 shown"

    # Walk to the flagged fragment with the keyboard and accept it (remove the sentence).
    page.evaluate("document.activeElement.blur()")
    target = li_for(page, "garbled.sentence", GARBLED)
    for _ in range(10):
        page.keyboard.press("j")
        if "current" in (target.get_attribute("class") or ""):
            break
    assert "current" in target.get_attribute("class")
    page.keyboard.press("a")
    assert target.get_attribute("data-decision") == "accept"
    assert GARBLED not in page.locator("#cleaned-text").text_content()
    page.screenshot(path=str(out / "2-garbled-filtered-accepted.png"))

    # Reject one removal: keep the photo caption.
    page.select_option("#filter-category", "boilerplate")
    caption = li_for(page, "boilerplate.photo-caption", CAPTION)
    caption.locator('button[data-d="reject"]').click()
    assert caption.get_attribute("data-decision") == "reject"
    assert "You: keep · kept" in caption.locator(".outcome").text_content()
    preview = page.locator("#cleaned-text").text_content()
    assert CAPTION in preview and GARBLED not in preview
    assert "2 decisions (1 accepted, 1 rejected)" in page.locator("#review-status").text_content()
    caption.scroll_into_view_if_needed()
    page.screenshot(path=str(out / "3-removal-rejected.png"))
    page.evaluate("document.getElementById('cleaned').scrollIntoView()")
    page.screenshot(path=str(out / "4-live-cleaned-copy.png"))

    # Export, then apply from the command line.
    with page.expect_download() as download:
        page.click("#export-decisions")
    assert download.value.suggested_filename == "seed.decisions.json"
    download.value.save_as(workdir / "seed.decisions.json")
    exported = json.loads((workdir / "seed.decisions.json").read_text(encoding="utf-8"))
    assert [d["decision"] for d in exported["articles"][0]["decisions"]] == ["accept", "reject"]
    result = runner.invoke(app, ["apply", "seed.decisions.json", "--no-grammar", "-o", "final.txt"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    final = (workdir / "final.txt").read_text(encoding="utf-8")
    assert CAPTION in final and GARBLED not in final
    assert final == preview, "cleaner apply writes exactly what the page previewed"
    assert errors == [], errors
    page.close()


def test_report_reads_without_script(browser: Browser, workdir: Path):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto((workdir / "reports" / "seed.html").as_uri())
    assert page.locator(".toolbar").is_hidden() and page.locator(".decide").first.is_hidden()
    assert page.locator("li.finding").count() == 22
    assert "Back to top button" not in page.locator("#cleaned-text").text_content()
    page.screenshot(path=str(shots(workdir) / "5-no-script.png"))
    context.close()


def test_review_server_saves_decisions_to_disk(browser: Browser, workdir: Path):
    server = ReviewServer(workdir / "reports")
    server.start()
    try:
        page, errors = open_page(browser, server.url_for(workdir / "reports" / "seed.html"))
        page.wait_for_selector('#save-status[data-state="loaded"]', state="attached")
        caption = li_for(page, "boilerplate.photo-caption", CAPTION)
        caption.locator('button[data-d="reject"]').click()
        page.wait_for_selector('#save-status[data-state="saved"]', state="attached")
        saved = json.loads(server.decisions_path.read_text(encoding="utf-8"))
        (article,) = saved["articles"]
        assert article["source"] == "seed.txt" and article["input"] == "seed.txt"
        assert [d["decision"] for d in article["decisions"]] == ["reject"]
        page.screenshot(path=str(shots(workdir) / "6-served-saved.png"))
        page.reload()
        page.wait_for_selector('#save-status[data-state="loaded"]', state="attached")
        assert li_for(page, "boilerplate.photo-caption", CAPTION).get_attribute("data-decision") == "reject"
        assert CAPTION in page.locator("#cleaned-text").text_content()
        assert errors == [], errors
        page.close()
    finally:
        server.stop()
    result = runner.invoke(app, ["apply", "reports/decisions.json", "--no-grammar"], catch_exceptions=False)
    assert result.exit_code == 0
    assert CAPTION in (workdir / "reports" / "seed.reviewed.txt").read_text(encoding="utf-8")


def test_batch_index_sorts_and_links(browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    for name in ("ap-biden-putin-spun.txt", "riverton-flood-barriers.txt", "fivethirtyeight-manchin.html"):
        shutil.copy(SEEDS / name, tmp_path / "in" / name)
    assert runner.invoke(app, ["clean", "in", "--no-grammar"], catch_exceptions=False).exit_code == 0
    page, errors = open_page(browser, (tmp_path / "reports" / "index.html").as_uri())
    rows = page.locator("#article-table tbody tr")
    assert rows.count() == 3
    page.locator("#article-table th", has_text="Findings").first.click()
    counts = [int(x) for x in page.locator("#article-table tbody tr td:nth-child(3)").all_text_contents()]
    assert counts == sorted(counts, reverse=True) and counts[0] == 22
    page.screenshot(path=str(shots(tmp_path) / "7-batch-index.png"), full_page=True)
    href = rows.first.locator("a").get_attribute("href")
    assert (tmp_path / "reports" / href).is_file()
    assert errors == [], errors
    page.close()
