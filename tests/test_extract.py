"""HTML input: a real news page through extraction (trafilatura) and audit, bylines from page metadata."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.clean import reconstruct
from cleaner.extract import dropped_blocks, extract_article, page_blocks
from cleaner.pipeline import Pipeline
from cleaner.read import read_path
from conftest import SEEDS

runner = CliRunner()
PAGE = SEEDS / "fivethirtyeight-manchin.html"
SPEC = yaml.safe_load((SEEDS / "expectations.yml").read_text(encoding="utf-8"))[PAGE.name]
LAST_PARAGRAPH = '<p data-paragraph="main">Long story short, Manchin could switch parties'


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.load()


def page_text() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_seed_page_is_the_recorded_file():
    digest = hashlib.sha256(PAGE.read_bytes()).hexdigest()
    assert digest == "63fbb68489d8b0a62090ab2698e64b93d499b5d8775024b2f494e6a2547c3d4a"
    assert digest in (SEEDS / "README.md").read_text(encoding="utf-8")


def test_extraction_metadata_and_text():
    (article,) = read_path(PAGE)
    meta = SPEC["metadata"]
    assert (article.title, article.author, article.date, article.url) == (
        meta["title"], meta["author"], meta["date"], meta["url"])
    assert article.extraction.site_name == meta["site_name"]
    assert article.text.startswith(meta["title"] + "\n\n") and article.body_start == len(meta["title"]) + 2
    for snippet in SPEC["keep"]:
        assert snippet in article.text
    for snippet in SPEC["extraction_dropped"]:
        assert snippet in article.extraction.dropped, snippet
        assert snippet not in article.text
    assert article.extraction.dropped_count == len(article.extraction.dropped)
    assert article.sha256 == hashlib.sha256(article.text.encode("utf-8")).hexdigest()


def test_audit_of_the_page_declares_the_author_from_metadata(pipeline: Pipeline):
    (article,) = read_path(PAGE)
    result = pipeline.clean(article)
    assert list(result.byline.declared) == SPEC["byline"]["declared"]
    assert result.byline.declared_source == "author field"
    assert list(result.byline.credited) == SPEC["byline"]["credited"]
    assert result.byline.mismatch is SPEC["byline"]["mismatch"]
    assert not any(f.category == "byline" for f in result.findings)
    assert reconstruct(result.cleaned, result.edits) == article.text
    for f in result.findings:
        assert 0 <= f.start <= f.end <= len(article.text)


def test_metadata_author_not_credited_by_the_text_is_a_mismatch(pipeline: Pipeline):
    """The same page with a wire credit line: the metadata author is not among the people credited."""
    html = page_text().replace(LAST_PARAGRAPH, '<p data-paragraph="main">Maria Lopez reported from Charleston, '
                               'West Virginia.</p>\n'
                               + LAST_PARAGRAPH, 1)
    article = extract_article(html, "manchin-credited.html")
    assert "Maria Lopez reported from Charleston" in article.text
    result = pipeline.clean(article)
    assert result.byline.declared == ("Geoffrey Skelley",) and result.byline.credited == ("Maria Lopez",)
    assert result.byline.mismatch is True
    (finding,) = [f for f in result.findings if f.rule == "byline.mismatch"]
    assert "Geoffrey Skelley" in finding.message and "Maria Lopez" in finding.message


def test_metadata_author_who_is_credited_is_no_mismatch(pipeline: Pipeline):
    html = page_text().replace(LAST_PARAGRAPH, '<p data-paragraph="main">Geoffrey Skelley reported from '
                               'Washington.</p>\n'
                               + LAST_PARAGRAPH, 1)
    result = pipeline.clean(extract_article(html, "manchin-own.html"))
    assert result.byline.credited == ("Geoffrey Skelley",) and result.byline.mismatch is False


def test_html_field_of_a_jsonl_record(tmp_path: Path, pipeline: Pipeline):
    records = [{"id": "p1", "html": page_text(), "url": "https://fivethirtyeight.com/x/"},
               {"id": "p2", "html": page_text(), "author": "Someone Else"},
               {"id": "p3", "html": "<html><body><script>var x;</script></body></html>"},
               {"id": "p4", "html": 42}]
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    items = list(read_path(path))
    first, second = items[0], items[1]
    assert first.url == "https://fivethirtyeight.com/x/", "the record's url wins over the page's"
    assert first.author == "Geoffrey Skelley" and second.author == "Someone Else"
    assert first.text_field == "text" and first.title_span is None and not first.text.startswith("Could")
    assert items[2].message == f"{path}#p3: is an HTML page with no article text that trafilatura could extract"
    assert items[3].message == f"{path}#p4: field 'html' is a JSON int, not a string of HTML"


def test_clean_an_html_file_as_a_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(PAGE, tmp_path / "page.html")
    (tmp_path / "empty.html").write_text("<html><body></body></html>", encoding="utf-8")
    result = runner.invoke(app, ["clean", "page.html", "empty.html", "--no-grammar"], catch_exceptions=False)
    assert result.exit_code == 1, "one unreadable page among readable ones"
    assert "empty.html: is an HTML page with no article text that trafilatura could extract" in result.output
    cleaned = (tmp_path / "reports" / "page.cleaned.txt").read_text(encoding="utf-8")
    assert cleaned.startswith("Could Manchin Actually Leave The Democratic Party?\n\nSen. Joe Manchin")
    report = (tmp_path / "reports" / "page.html").read_text(encoding="utf-8")
    assert "Dropped by extraction" in report and "Removed by cleaner" in report
    assert "refer to the <b>extracted text</b>" in report
    assert "Jabin Botsford / The Washington Post / Getty Images" in report
    data = json.loads((tmp_path / "reports" / "page.findings.json").read_text(encoding="utf-8"))
    entry = data["files"][0]
    assert entry["author"] == "Geoffrey Skelley" and entry["extraction"]["offsets"] == "extracted text"
    assert entry["extraction"]["site_name"] == "FiveThirtyEight"
    assert "By Geoffrey Skelley" in entry["extraction"]["dropped"]


def test_page_blocks_skip_scripts_and_survive_deep_nesting():
    html = "<html><head><title>T</title><script>var x = '<p>no</p>';</script></head><body>" \
           + "<div>" * 1500 + "<p>Deep text.</p>" + "</div>" * 1500 + "<style>p{}</style><p>Tail <b>bold</b> end</p></body></html>"
    assert page_blocks(html) == ["Deep text.", "Tail bold end"]
    assert dropped_blocks(["Deep text.", "Menu", "Menu"], "Deep text.") == ["Menu"]
