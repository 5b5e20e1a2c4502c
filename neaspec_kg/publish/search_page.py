"""The search page of the static site of a release: the release's own search index, searched in
the reader's browser with the server's engine and statements.

The server's search is SQLite FTS5 (neaspec_kg.search). In the site, SQLite compiled to
WebAssembly (@sqlite.org/sqlite-wasm, vendored under pages/static/vendor, FTS5 included) opens
the build's search.sqlite and runs the statements of ``neaspec_kg.search.SQL``, which this module
writes into the page's config: one engine, one copy of the SQL, the same ranking, stemming and
snippets as ``/api/search``. A page opened from a folder (file://) may fetch no file, so the index
is shipped as base64 in a script (``search.sqlite.js``), as the engine's .wasm is.
"""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import Store

from neaspec_kg.namespaces import BASE
from neaspec_kg.pages.render import render
from neaspec_kg.pages.router import FACET_PARAMS
from neaspec_kg.search import browser_config, build_search_index

SEARCH_PAGE = "search.html"  # what the server's /search page is in the site
SEARCH_DB_SCRIPT = "search.sqlite.js"  # the release's search.sqlite, as base64 in a script


def search_config() -> dict:
    """The page's config: the statements and markers of neaspec_kg.search, the URL parameter of
    each facet (as the server's /search takes them) and the base of the dataset's IRIs."""
    return {**browser_config(), "facet_params": list(FACET_PARAMS.items()), "base": BASE}


def write_search_page(folder: Path, search_db: Path, finish: Callable[[str, str], str], store: Store) -> list[str]:
    """``search.html`` and ``search.sqlite.js`` in ``folder``; ``finish(text, page)`` makes the
    page's links relative. ``search_db`` is the build's index; a build without one (made before
    search was, or by serve.testing.make_build) gets one made from the release's ``store``.
    Returns the files written."""
    with tempfile.TemporaryDirectory() as tmp:
        if not Path(search_db).is_file():
            search_db = Path(tmp) / "search.sqlite"
            build_search_index(store, search_db)
        encoded = base64.b64encode(Path(search_db).read_bytes()).decode("ascii")
    script = f"/* search.sqlite of this release, base64 */\nvar NEASPEC_SEARCH_DB = \"{encoded}\";\n"
    (folder / SEARCH_DB_SCRIPT).write_text(script, encoding="ascii")
    page = render("search.html", title="Search", q="", result=None, hidden=[], site=True,
                  search_config=search_config(), search_db_script=SEARCH_DB_SCRIPT)
    (folder / SEARCH_PAGE).write_text(finish(page, SEARCH_PAGE), encoding="utf-8")
    return [SEARCH_PAGE, SEARCH_DB_SCRIPT]
