"""Full-text search over report paragraphs, labels and notes: a SQLite FTS5 index built with the graph.

``build_search_index(nquads_or_store, path)`` writes ``search.sqlite`` next to the store (the
build calls it); ``search(path, q, facets, limit)`` answers a query with bm25-ranked hits,
highlighted snippets and facet counts (session, country, programme area, kind of thing).
SQLite does the tokenizing (Porter stemmer over unicode61), the ranking and the snippets.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Store

from neaspec_kg.namespaces import rebase
from neaspec_kg.select import Select, store_select

HERE = Path(__file__).resolve().parent
FACETS = ("session", "country", "programme area", "kind")
MAX_LIMIT = 200
_SCHEMA = """
CREATE TABLE doc(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, link TEXT NOT NULL, kind TEXT NOT NULL,
                 title TEXT NOT NULL, session_order INTEGER);
CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='porter unicode61 remove_diacritics 2');
CREATE TABLE facet(doc INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, sort INTEGER NOT NULL);
CREATE INDEX facet_by_value ON facet(name, value, doc);
CREATE INDEX facet_by_doc ON facet(doc);
"""
# Markers SQLite puts around matched words; swapped for <mark> once the snippet is HTML-escaped.
_OPEN, _CLOSE = "\x02", "\x03"
# The statements of a search, here once: search() runs them in Python and the static site's
# search page (publish.search_page) in the browser, bound to the same parameters.
# ranked: every match, best first (a tie goes to the later session, then to the index's order);
# facet_docs: the documents with one facet value; hits: the rows of the top documents (json list);
# facet_counts: per facet value, how many of the matches (json list) have it; hit_facets: the
# facet values of the top documents.
SQL = {
    "ranked": "SELECT fts.rowid FROM fts JOIN doc ON doc.id = fts.rowid WHERE fts MATCH ? "
              "ORDER BY bm25(fts, 4.0, 1.0), doc.session_order DESC, doc.id",
    "facet_docs": "SELECT doc FROM facet WHERE name = ? AND value = ?",
    "hits": f"SELECT doc.id, doc.iri, doc.link, doc.kind, doc.title, "
            f"snippet(fts, 1, '{_OPEN}', '{_CLOSE}', ' … ', 32), highlight(fts, 0, '{_OPEN}', '{_CLOSE}') "
            f"FROM fts JOIN doc ON doc.id = fts.rowid WHERE fts MATCH ? "
            f"AND fts.rowid IN (SELECT value FROM json_each(?))",
    "facet_counts": "SELECT name, value, COUNT(*), MAX(sort) FROM facet WHERE doc IN (SELECT value FROM json_each(?)) "
                    "GROUP BY name, value ORDER BY name, MAX(sort), COUNT(*) DESC, value",
    "hit_facets": "SELECT doc, name, value FROM facet WHERE doc IN (SELECT value FROM json_each(?)) ORDER BY sort, value",
}
# What a word is, for match_expression: Python's \w+ (str.isalnum or "_"), and the same class
# written for JavaScript's RegExp (flag "u"), which the static search page uses.
WORD_PATTERN = re.compile(r"\w+")
WORD_PATTERN_JS = r"[\p{L}\p{N}_]+"


class SearchError(ValueError):
    """A search that cannot run: a missing index or an unknown facet."""


@dataclass(frozen=True)
class Hit:
    iri: str
    link: str
    kind: str
    title: str
    snippet_html: str
    facets: dict[str, list[str]]


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    chosen: dict[str, str] = field(default_factory=dict)
    offset: int = 0  # how many ranked hits come before the first of ``hits``
    limit: int = 20  # the most hits a page of results holds (the request's, within 1..MAX_LIMIT)


def _query(name: str) -> str:
    return rebase((HERE / name).read_text(encoding="utf-8"))


def _text(term) -> str:
    return term.value if isinstance(term, (Literal, NamedNode)) else ""


def _open_source(source: Path | Store) -> Store:
    """A store whose default graph is the union of the named graphs, as the build's store has it."""
    if isinstance(source, Store):
        return source
    if Path(source).is_dir():
        return Store.read_only(str(source))
    store = Store()
    store.bulk_load(path=str(source), format=RdfFormat.N_QUADS)
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return store


def build_search_index(source: Path | Store, path: Path) -> int:
    """Index the graph (an N-Quads file, a store folder or a store) into a new SQLite file; returns the number of documents."""
    select = store_select(_open_source(source), cache_size=0)
    docs = {_text(r["s"]): (_text(r["kind"]), _text(r["title"])) for r in select(_query("documents.rq"))}
    bodies: dict[str, list[str]] = defaultdict(list)
    for r in select(_query("texts.rq")):
        if (s := _text(r["s"])) in docs:
            bodies[s].append(_text(r["text"]))
    facets: dict[str, set[tuple[str, str, int]]] = defaultdict(set)
    for r in select(_query("facets.rq")):
        order = r.get("order")
        facets[_text(r["s"])].add((_text(r["facet"]), _text(r["value"]), int(order.value) if order else 0))
    links: dict[str, str] = {}
    for r in select(_query("derived.rq")):
        fact, para = _text(r["fact"]), _text(r["paragraph"])
        # A paragraph is found by what was read from it (its States, its programme areas).
        facets[para] |= {f for f in facets.get(fact, ()) if f[0] != "session"}
        if r.get("span") is not None:
            links.setdefault(fact, _text(r["span"]))
    path = Path(path)
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        con.executescript(_SCHEMA)
        for n, (iri, (kind, title)) in enumerate(sorted(docs.items()), start=1):
            own = facets.get(iri, set())
            session = min((o for f, _, o in own if f == "session"), default=None)
            con.execute("INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?)", (n, iri, links.get(iri, iri), kind, title, session))
            body = "\n".join(t for t in dict.fromkeys(bodies.get(iri, ())) if t != title)
            con.execute("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", (n, title, body))
            rows = [(n, f, v, o) for f, v, o in own] + [(n, "kind", kind, 0)]
            con.executemany("INSERT INTO facet VALUES (?, ?, ?, ?)", rows)
        con.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        con.commit()
    finally:
        con.close()
    return len(docs)


def match_expression(q: str) -> str:
    """User words -> an FTS5 query: every word must occur (stemmed); the last one may be a prefix.

    Words are quoted, so FTS5 operators and punctuation typed by a user never reach the parser.
    """
    words = WORD_PATTERN.findall(q)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def search(path: Path, q: str, facets: dict[str, str] | None = None, limit: int = 20, offset: int = 0) -> SearchResult:
    """Ranked hits for ``q`` (bm25, titles weigh 4x the text), filtered by facet values: ``limit``
    of them (at most ``MAX_LIMIT``) after the first ``offset``."""
    chosen = {k: v for k, v in (facets or {}).items() if v}
    unknown = sorted(set(chosen) - set(FACETS))
    if unknown:
        raise SearchError(f"unknown facet {unknown[0]!r}; facets are: {', '.join(FACETS)}")
    if not Path(path).exists():
        raise SearchError(f"no search index at {path}; `neaspec-kg build` writes it")
    expr = match_expression(q)
    limit, offset = max(1, min(int(limit), MAX_LIMIT)), max(0, int(offset))
    if not expr:
        return SearchResult(query=q, total=0, hits=[], chosen=chosen, limit=limit)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        # Rank every match once, narrow by facet in Python: an FTS MATCH joined to a facet
        # subquery made SQLite re-run the match (0.4 s at 30 sessions).
        ranked = [r for (r,) in con.execute(SQL["ranked"], [expr])]
        for name, value in chosen.items():
            allowed = {d for (d,) in con.execute(SQL["facet_docs"], [name, value])}
            ranked = [r for r in ranked if r in allowed]
        total = len(ranked)
        top = ranked[offset:offset + limit]
        order = {doc: n for n, doc in enumerate(top)}
        rows = sorted(con.execute(SQL["hits"], [expr, json.dumps(top)]).fetchall(), key=lambda r: order[r[0]])
        counts = con.execute(SQL["facet_counts"], [json.dumps(ranked)]).fetchall()
        own: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for doc, name, value in con.execute(SQL["hit_facets"], [json.dumps(top)]):
            own[doc][name].append(value)
    finally:
        con.close()
    grouped: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
    for name, value, count, _ in counts:
        grouped.setdefault(name, []).append((value, count))
    hits = [
        Hit(iri=iri, link=link, kind=kind, title=title,
            snippet_html=_marked(snippet) if snippet.strip() else _marked(titled),
            facets={k: v for k, v in own[doc].items()})
        for doc, iri, link, kind, title, snippet, titled in rows
    ]
    return SearchResult(query=q, total=total, hits=hits, facets=grouped, chosen=chosen, offset=offset, limit=limit)


def browser_config() -> dict:
    """What the static site's search page needs to answer as :func:`search` does, in the same
    SQL on the same index (SQLite compiled to WebAssembly): the statements, the markers, the
    facets and the limits. The page's script only binds parameters and arranges the rows."""
    return {"sql": SQL, "open": _OPEN, "close": _CLOSE, "facets": list(FACETS), "max_limit": MAX_LIMIT,
            "word_pattern": WORD_PATTERN_JS}


def _marked(text: str) -> str:
    return html.escape(text).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


__all__ = ["FACETS", "SQL", "Hit", "SearchError", "SearchResult", "Select", "browser_config",
           "build_search_index", "search"]
