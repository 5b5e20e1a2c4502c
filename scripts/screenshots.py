"""Screenshots of the pages for people in headless Chromium, for a person to look at (docs/screenshots/).

Usage: python scripts/screenshots.py http://127.0.0.1:8000 [outdir]   (the server's pages)
       python scripts/screenshots.py dist/releases/VERSION [outdir]    (a release's static site, from file://)
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "home": "/",
    "session-som-27": "/id/meeting/som-27",
    "session-som-5": "/id/meeting/som-5",
    "country-mongolia": "/id/state/mn",
    "programme-area-biodiversity": "/id/concept/programme-area/biodiversity-nature-conservation",
    "programme-area-air-pollution": "/id/concept/programme-area/air-pollution",
    "commitments": "/commitments",
    "commitments-sdg-13": "/commitments?sdg=13",
    "search-air-pollution": "/search?q=air+pollution",
    "paragraph-span": "/id/meeting/som-27/report/en/para/15/span/44-71",
    "query": "/query",
    "generic-decision-page": "/id/meeting/som-27/decision/9-4",
    "country-mongolia-ru": "/id/state/mn",  # with Accept-Language: ru (LANGUAGES)
    "search-mongolia-ru": "/search?q=Mongolia",
}
LANGUAGES = {"country-mongolia-ru": "ru-RU,ru;q=0.9", "search-mongolia-ru": "ru-RU,ru;q=0.9"}
STATIC_PAGES = {  # the same pages in the static site of a release, opened from a folder
    "static-home": "index.html",
    "static-session-som-27": "id/meeting/som-27/index.html",
    "static-country-mongolia": "id/state/mn/index.html",
    "static-commitments-sdg-13": "commitments/sdg-13.html",
    "static-search-air-pollution": "search.html?q=air+pollution",  # found in the browser (search.js)
    "static-search-air-pollution-decisions": "search.html?q=air+pollution&kind=decision",
}


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"], headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        static = not base.startswith(("http://", "https://"))
        for name, path in (STATIC_PAGES if static else PAGES).items():
            page.set_extra_http_headers({"Accept-Language": LANGUAGES.get(name, "en")})
            file, _, query = path.partition("?")
            page.goto((Path(base).resolve() / file).as_uri() + (f"?{query}" if query else "") if static
                      else base.rstrip("/") + path)
            page.wait_for_load_state("networkidle")
            if file == "search.html":
                page.wait_for_function("() => document.body.dataset.search")
            page.wait_for_timeout(300)  # chart animations
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots"))
