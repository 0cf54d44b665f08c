"""Take a full-page screenshot of an HTML report with Chromium.

Usage: python bench/screenshot.py REPORT.html OUT.png [--width 1400] [--height 1000] [--max-height 16000]

A page taller than ``--max-height`` pixels (a batch index of thousands of rows) is
shot down to that height: Chromium times out rendering one image of the whole page.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def screenshot(report: Path, out: Path, width: int = 1400, height: int = 1000,
               executable: str = "/usr/bin/chromium", max_height: int = 16000) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(report.resolve().as_uri())
            full = page.evaluate("document.documentElement.scrollHeight")
            clip = {"x": 0, "y": 0, "width": width, "height": min(full, max_height)}
            page.screenshot(path=str(out), full_page=True, clip=clip)
        finally:
            browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=1000)
    ap.add_argument("--max-height", type=int, default=16000, help="shoot at most this many pixels of the page")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    a = ap.parse_args()
    screenshot(a.report, a.out, a.width, a.height, a.chromium, a.max_height)


if __name__ == "__main__":
    main()
