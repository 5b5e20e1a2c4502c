"""Data of a report paragraph's page, with the span of one fact highlighted (the offsets of its
oa:TextPositionSelector), and the facts read from the paragraph."""

from __future__ import annotations

from dataclasses import dataclass

from neaspec_kg.pages.model import Link, first, link, local, run
from neaspec_kg.select import Select


@dataclass(frozen=True)
class ParagraphPage:
    iri: str
    href: str
    title: str
    number: int
    session: Link | None
    before: str
    marked: str
    after: str
    facts: list[tuple[Link, str]]  # the fact, the span's local path
    highlighted: str | None  # local path of the span shown marked


def paragraph_page(select: Select, iri: str, span: str | None = None) -> ParagraphPage | None:
    head = first(run(select, "paragraph", iri))
    if head is None:
        return None
    rows = run(select, "paragraph_spans", iri)
    text = head["text"]
    before, marked, after = text, "", ""
    facts: list[tuple[Link, str]] = []
    seen = set()
    for r in rows:
        if (r["body"], r["sp"]) in seen:
            continue
        seen.add((r["body"], r["sp"]))
        facts.append((link(r["body"], r["bodyLabel"]), local(r["sp"])))
        if r["sp"] == span and 0 <= r["start"] <= r["end"] <= len(text):
            before, marked, after = text[:r["start"]], text[r["start"]:r["end"]], text[r["end"]:]
    session = first(run(select, "paragraph_session", iri))
    return ParagraphPage(iri=iri, href=local(iri) or iri, title=head["label"] or iri, number=head["number"],
                         session=link(session["m"], session["id"]) if session else None,
                         before=before, marked=marked, after=after, facts=facts, highlighted=local(span) if marked else None)


def span_page(select: Select, iri: str) -> ParagraphPage | None:
    head = first(run(select, "span", iri))
    return paragraph_page(select, head["para"], iri) if head else None
