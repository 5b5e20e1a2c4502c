"""Data of a programme area's page: decisions session by session, projects with funders and species,
related events."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from neaspec_kg.pages.model import Link, distinct, first, link, local, run, with_spans
from neaspec_kg.pages.session import Sourced
from neaspec_kg.select import Select


@dataclass(frozen=True)
class Project:
    link: Link
    status: list[str]
    funders: list[Link]
    species: list[Link]


@dataclass(frozen=True)
class AreaPage:
    iri: str
    name: str
    definition: str | None
    decisions: list[tuple[Link, int | None, list[Sourced]]]  # session, year, decisions
    projects: list[Project]
    events: list[Sourced]


def area_page(select: Select, iri: str) -> AreaPage | None:
    head = first(run(select, "area", iri))
    if head is None:
        return None
    by_session: dict[tuple, dict[str, Sourced]] = defaultdict(dict)
    for r in with_spans(select, run(select, "area_decisions", iri), "d"):
        key = (r["number"], r["m"], r["id"], r["start"].year if r["start"] else None)
        by_session[key].setdefault(r["d"], Sourced(f"{r['verb']} {r['object']}", local(r["span"]), r["paraNumber"],
                                                   {"verb": r["verb"], "object": r["object"]}))
    projects: dict[str, dict] = {}
    for r in run(select, "area_projects", iri):
        p = projects.setdefault(r["p"], {"title": r["title"], "status": [], "funders": [], "species": []})
        p["status"].append(r["status"])
        p["funders"].append(link(r["funder"], r["funderLabel"]))
        p["species"].append(link(r["taxon"], r["taxonLabel"]))
    events: dict[str, Sourced] = {}
    for r in run(select, "area_events", iri):
        events.setdefault(r["e"], Sourced(r["name"], None, None, {
            "link": link(r["e"], r["name"]), "session": link(r["m"], r["id"]) if r.get("m") else None,
            "when": r["start"].isoformat() if r["start"] else "", "status": r["status"], "place": r["place"]}))
    return AreaPage(
        iri=iri, name=head["label"], definition=head["definition"],
        decisions=[(link(m, ident), year, sorted(ds.values(), key=lambda s: s.paragraph or 0))
                   for (_, m, ident, year), ds in sorted(by_session.items())],
        projects=[Project(link(k, v["title"]), distinct(v["status"]), distinct(v["funders"]), distinct(v["species"]))
                  for k, v in sorted(projects.items(), key=lambda kv: kv[1]["title"] or "")],
        events=list(events.values()),
    )


def decisions_chart(page: AreaPage) -> dict:
    return {"type": "bar", "label": "decisions", "labels": [s.label for s, _, _ in page.decisions],
            "values": [len(ds) for _, _, ds in page.decisions]}
