"""Plain values for the pages: rows of pyoxigraph terms in, Python values and links out.

The page queries live in ``queries/*.rq``; the marker ``$THIS`` in them becomes the IRI of the
page and ``$FILTER`` an optional extra pattern (neither may appear in their comments). Nothing here knows about HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode

from neaspec_kg.namespaces import BASE, rebase
from neaspec_kg.select import Select

QUERIES = Path(__file__).resolve().parent / "queries"
XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger", "gYear")}
_DECIMALS = {XSD + t for t in ("decimal", "double", "float")}
IRI_SAFE = re.compile(r'^[^\s<>"{}|^`\\]+$')


@dataclass(frozen=True)
class Link:
    href: str
    label: str
    lang: str | None = None  # set when the label is not in the page's language (pages.language)


@cache
def query_text(name: str) -> str:
    return rebase((QUERIES / f"{name}.rq").read_text(encoding="utf-8"))


def run(select: Select, name: str, this: str | None = None, extra: str = "") -> list[dict]:
    """Run ``queries/<name>.rq`` for the page of ``this``; rows as plain Python values."""
    text = query_text(name)
    if this is not None:
        if not IRI_SAFE.match(this):
            raise ValueError(f"not an IRI a page can be made for: {this!r}")
        text = text.replace("$THIS", f"<{this}>")
    text = text.replace("$FILTER", extra)
    return [{k: value(v) for k, v in row.items()} for row in select(text)]


def value(term) -> object:
    """An RDF term as the page shows it: IRIs as str, numbers as int/float, dates as date, text as str."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, BlankNode):
        return None
    if isinstance(term, Literal):
        dt = term.datatype.value if term.datatype else ""
        try:
            if dt in _INTEGERS:
                return int(term.value)
            if dt in _DECIMALS:
                number = float(term.value)
                return int(number) if number.is_integer() else number
            if dt == XSD + "date":
                return date.fromisoformat(term.value)
            if dt == XSD + "boolean":
                return term.value == "true"
        except ValueError:
            return term.value  # an ill-typed literal is shown as written, not dropped
        return term.value
    return str(term)


def local(iri: str | None) -> str | None:
    """The path a page of ours has for an IRI of the dataset (``/id/...``); other IRIs unchanged."""
    if iri is None:
        return None
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else iri


def link(iri: str | None, label: object) -> Link | None:
    if iri is None:
        return None
    return Link(local(iri) or iri, str(label) if label is not None else iri.rsplit("/", 1)[-1])


def notation_key(notation: str) -> tuple:
    """Agenda notations in numeric order: '2' < '5 (a)' < '5 (b)' < '10'."""
    parts = re.findall(r"\d+|[A-Za-z]+", notation or "")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in parts)


def first(rows: list[dict]) -> dict | None:
    return rows[0] if rows else None


def distinct(values) -> list:
    return list(dict.fromkeys(v for v in values if v is not None))


SPAN_BATCH = 400


def with_spans(select: Select, rows: list[dict], key: str, within: str | None = None) -> list[dict]:
    """Adds ``span`` (the annotation placing the fact in its paragraph) and ``spanStart`` to rows.

    One query per batch of facts (VALUES), not an OPTIONAL per row: oxigraph joins an OPTIONAL
    on oa:hasBody against every annotation of the graph, which costs seconds at 30 sessions.
    ``within``: only spans of that session's report (a fact such as an event recurs across sessions).
    """
    facts = [iri for iri in dict.fromkeys(r[key] for r in rows) if iri and IRI_SAFE.match(iri)]
    found: dict[str, tuple[int, str, int | None]] = {}
    for i in range(0, len(facts), SPAN_BATCH):
        values = " ".join(f"<{iri}>" for iri in facts[i:i + SPAN_BATCH])
        text = query_text("spans").replace("$VALUES", values)
        for r in select(text):
            body, span, start, para = value(r["body"]), value(r["sp"]), value(r["start"]), value(r["paraNumber"])
            if within and not span.startswith(within + "/"):
                continue
            if body not in found or (start, span) < found[body][:2]:
                found[body] = (start, span, para)
    for r in rows:
        start, span, para = found.get(r[key], (None, None, None))
        r["span"], r["spanStart"] = span, start
        if r.get("paraNumber") is None:
            r["paraNumber"] = para
    return rows
