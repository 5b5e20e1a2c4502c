"""HTML of the pages: Jinja templates over the page data; ``render_resource_page`` picks the page of an IRI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jinja2
from markupsafe import Markup

from neaspec_kg.namespaces import BASE
from neaspec_kg.pages.area import area_page, decisions_chart
from neaspec_kg.pages.country import commitment_chart, state_page
from neaspec_kg.pages.language import PAGE_LANGUAGE, Names, names_in, translated
from neaspec_kg.pages.model import Link, local, run
from neaspec_kg.pages.session import session_page
from neaspec_kg.pages.source import paragraph_page, span_page
from neaspec_kg.select import Select

HERE = Path(__file__).resolve().parent
# The one page frame of the site (header, nav, search box, footer) is the web app's base.html,
# which the query page, the dataset page and the generic Linked Data pages extend too.
FRAME = HERE.parent / "serve" / "templates"
NEA = BASE + "ontology#"
PROGRAMME_AREAS = BASE + "id/concept/programme-area"
OA_ANNOTATION = "http://www.w3.org/ns/oa#Annotation"
DOCO_PARAGRAPH = "http://purl.org/spar/doco/Paragraph"


def _date(value: object) -> str:
    if isinstance(value, date):
        return f"{value.day} {value:%B} {value.year}"
    return "" if value is None else str(value)


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    return "" if value is None else str(value)


def _json_script(data: object) -> Markup:
    # Inside <script type="application/json">: '<' is escaped so no text can close the element.
    return Markup(json.dumps(data, ensure_ascii=False, default=str).replace("<", "\\u003c"))


ENV = jinja2.Environment(loader=jinja2.FileSystemLoader([HERE / "templates", FRAME]), autoescape=True,
                         trim_blocks=True, lstrip_blocks=True)
ENV.filters.update(day=_date, number=_number, json_script=_json_script)
ENV.globals.update(asset_prefix="/assets/")


def render(template: str, lang: str = "en", **context) -> str:
    """The page; ``lang`` is the reader's language: the page is in English (``<html lang="en">``)
    and the names given in that language carry it (``names``, pages.language)."""
    context.setdefault("names", Names(lang, {}, {}))
    return ENV.get_template(template).render(lang=PAGE_LANGUAGE, reader_lang=lang, **context)


def page_kind(iri: str, select: Select) -> str | None:
    rows = run(select, "kind", iri)
    types = {r["type"] for r in rows}
    if NEA + "Meeting" in types:
        return "session"
    if NEA + "State" in types:
        return "state"
    if any(r["scheme"] == PROGRAMME_AREAS for r in rows):
        return "area"
    if DOCO_PARAGRAPH in types:
        return "paragraph"
    if OA_ANNOTATION in types:
        return "span"
    return None


def render_resource_page(iri: str, select: Select, lang: str = "en", **context) -> str | None:
    """The page made for a session, a State, a programme area or a report paragraph (or a span
    of one); None for any other IRI, which keeps the generic page. ``context``: what the frame
    of the page needs besides (``site=True`` in the static site of a release)."""
    kind = page_kind(iri, select)
    names = names_in(select, lang) if kind in ("session", "state", "area") else Names(lang, {}, {})

    def page(template: str, data, **more) -> str:
        return render(template, lang, page=translated(data, names), names=names, **more, **context)

    if kind == "session" and (s := session_page(select, iri)):
        return page("session.html", s, title=s.identifier)
    if kind == "state" and (c := state_page(select, iri)):
        me = translated(Link(local(iri) or iri, c.name), names)
        return page("state.html", c, title=me.label, me=me, chart=commitment_chart(c.commitments))
    if kind == "area" and (a := area_page(select, iri)):
        return page("area.html", a, title=a.name, chart=decisions_chart(a))
    if kind == "paragraph" and (p := paragraph_page(select, iri)):
        return page("paragraph.html", p, title=p.title)
    if kind == "span" and (p := span_page(select, iri)):
        return page("paragraph.html", p, title=p.title)
    return None
