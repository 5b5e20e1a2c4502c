"""The pages for people in the static site of a release: the home timeline, the commitments page
(every filter the pages link to, as a file, with its CSV) and the pages' assets.

They are rendered by neaspec_kg.pages, the code and templates the server uses, with ``site=True``
(the frame then leaves out SPARQL, which needs the server); their root-relative links are made
relative by ``site.relative_links``, which asks :meth:`PeoplePages.target` for the files of the
site-level paths (``/commitments?state=…``, ``/commitments.csv``, ``/dataset``, ``/search``).

Search in the static site is the server's own engine and SQL, SQLite FTS5 compiled to WebAssembly
(publish.search_page). A second engine (lunr, MiniSearch) was refused: it would rank and stem
differently, and ship every paragraph as JSON.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from neaspec_kg.pages.home import home
from neaspec_kg.pages.language import Names
from neaspec_kg.pages.render import HERE as PAGES, render
from neaspec_kg.pages.router import COMMITMENT_FILTERS, commitments_csv, commitments_view
from neaspec_kg.publish.search_page import SEARCH_PAGE
from neaspec_kg.select import Select

RELEASE_PAGE = "release.html"  # what the server's /dataset page is in a release: downloads, checksums
ASSETS = "assets"
FILTERS = tuple(name for name, _ in COMMITMENT_FILTERS)
MAX_ROUNDS = 5  # a commitments page links to others (its SDG targets): at most this many rounds


def commitments_file(params: dict[str, str], ext: str) -> str:
    """``{}`` -> ``commitments/index.html`` (``commitments.csv``); ``{"state": "Republic of Korea"}``
    -> ``commitments/state-republic-of-korea.html`` (``.csv``)."""
    if not params:
        return "commitments/index.html" if ext == "html" else "commitments.csv"
    return "commitments/" + "--".join(f"{k}-{_slug(v)}" for k, v in sorted(params.items())) + f".{ext}"


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", value.lower()).strip("-") or "none"


class PeoplePages:
    def __init__(self, select: Select):
        self.select = select
        self.wanted: dict[str, dict[str, str]] = {}  # commitments page file -> its filters
        self._by_file: dict[str, tuple] = {}

    def target(self, path: str, query: str) -> str | None:
        """The file of the site for a site-level path of the server; None for any other path."""
        if path == "/dataset":
            return RELEASE_PAGE
        if path == "/search":
            return SEARCH_PAGE + (f"?{query}" if query else "")
        if path not in ("/commitments", "/commitments.csv"):
            return None
        params = {k: v for k, v in parse_qsl(query) if k in FILTERS and v}
        page = commitments_file(params, "html")
        known = self._by_file.setdefault(page, tuple(sorted(params.items())))
        if known != tuple(sorted(params.items())):
            raise ValueError(f"two commitment filters would be one file {page}: {dict(known)} and {params}")
        self.wanted.setdefault(page, params)
        return commitments_file(params, "csv" if path.endswith(".csv") else "html")

    def home_page(self, summary: dict, info, schema_org_json: str) -> str:
        return render("home.html", **self._home(), triples=summary["triples"], dataset_jsonld=schema_org_json,
                      release_info=info, site=True)

    def _home(self) -> dict:
        return {"home": home(self.select), "title": "Home", "names": Names("en", {}, {})}

    def write_commitments(self, folder: Path, finish) -> list[str]:
        """Every commitments page the site links to, and the filter of one choice each, with
        its CSV; ``finish(text, page)`` makes a page's links relative (and may want more pages)."""
        every = commitments_view(self.select, {})
        for name, _, values in every["filters"]:
            for value in values:
                self.target("/commitments", urlencode({name: value}))
        self.target("/commitments", "")
        done: list[str] = []
        for _ in range(MAX_ROUNDS):
            pending = [p for p in self.wanted if p not in done]
            if not pending:
                return done
            for page in pending:
                params = self.wanted[page]
                view = commitments_view(self.select, params)
                qs = "?" + urlencode(view["chosen"]) if view["chosen"] else ""
                text = render("commitments.html", title="Commitments", query_string=qs, site=True, **view)
                _write(folder / page, finish(text, page))
                _write(folder / commitments_file(params, "csv"), commitments_csv(view["items"]))
                done.append(page)
        raise RuntimeError(f"commitments pages still wanted after {MAX_ROUNDS} rounds: {sorted(self.wanted)[:5]}")


def copy_assets(folder: Path) -> None:
    """The CSS, the scripts and the vendored libraries the pages load (``/assets/…``): the charts'
    and the search's (SQLite compiled to WebAssembly, with the .wasm as base64 in a script)."""
    for name in ("pages.css", "pages.js", "search.js", "vendor/chart.umd.min.js", "vendor/chart.js.LICENSE.md",
                 "vendor/sqlite3.js", "vendor/sqlite3-wasm.js", "vendor/sqlite3.LICENSE.md"):
        target = folder / ASSETS / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PAGES / "static" / name, target)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
