"""Data of a session page: officers, delegations, agenda, decisions by programme area, statements
by delegation, commitments and progress, related events, plans for the next session."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from neaspec_kg.pages.home import MODES, Commitment, commitments
from neaspec_kg.pages.model import Link, first, link, local, notation_key, run, with_spans
from neaspec_kg.select import Select


@dataclass(frozen=True)
class Sourced:
    """One line of a page with the span of the report paragraph it comes from."""
    text: str
    source: str | None  # local path of the span (the paragraph with the span highlighted)
    paragraph: int | None
    extra: dict


@dataclass(frozen=True)
class AgendaEntry:
    link: Link
    notation: str
    title: str
    depth: int


@dataclass(frozen=True)
class SessionPage:
    iri: str
    identifier: str
    title: str
    number: int
    start: date | None
    end: date | None
    place: str | None
    host: Link | None
    mode: str | None
    report: Link | None
    previous: Link | None
    next: Link | None
    note: str | None
    others: str | None
    sources: list[str]
    officers: list[Sourced]
    delegations: list[Sourced]
    agenda: list[AgendaEntry]
    decisions: list[tuple[Link | None, list[Sourced]]]
    statements: list[tuple[Link | None, list[Sourced]]]
    commitments: list[Commitment]
    events: list[Sourced]
    plans: list[Sourced]


def session_page(select: Select, iri: str) -> SessionPage | None:
    head = first(run(select, "session", iri))
    if head is None:
        return None
    return SessionPage(
        iri=iri, identifier=head["id"], title=head["label"] or head["id"], number=head["number"],
        start=head["start"], end=head["end"], place=head["place"], host=link(head["host"], head["hostLabel"]),
        mode=MODES.get(head["mode"] or ""), report=link(head["report"], head["reportTitle"] or "Report"),
        previous=link(head["prev"], head["prevId"]), next=link(head["next"], head["nextId"]),
        note=head["note"], others=head["others"],
        sources=[r["src"] for r in run(select, "session_sources", iri)],
        officers=[Sourced(f"{r['roleLabel']}: {r['name']}", local(r["span"]), r["paraNumber"],
                          {"state": link(r["state"], r["stateLabel"]), "role": r["roleLabel"], "name": r["name"]})
                  for r in with_spans(select, run(select, "session_officers", iri), "h")],
        delegations=[Sourced(r["stateLabel"], local(r["span"]), None, {"state": link(r["state"], r["stateLabel"])})
                     for r in with_spans(select, run(select, "session_delegations", iri), "d")],
        agenda=_agenda(select, iri),
        decisions=_decisions(select, iri),
        statements=_statements(select, iri),
        commitments=commitments(select, session=iri),
        events=_events(select, iri),
        plans=[Sourced(r["timing"] or r["venue"] or "", local(r["span"]), r["paraNumber"],
                       {"event": link(r["event"], r["eventId"]), "host": link(r["host"], r["hostLabel"]),
                        "venue": r["venue"], "timing": r["timing"]})
               for r in with_spans(select, run(select, "session_plans", iri), "plan")],
    )


def _agenda(select: Select, iri: str) -> list[AgendaEntry]:
    rows = {r["item"]: r for r in run(select, "session_agenda", iri)}
    ordered = sorted(rows.values(), key=lambda r: (notation_key(r["notation"]), r["position"] or 0))
    return [AgendaEntry(link(r["item"], r["notation"]), r["notation"], r["title"] or "", 1 if r["parent"] else 0)
            for r in ordered]


def _decisions(select: Select, iri: str) -> list[tuple[Link | None, list[Sourced]]]:
    """Decisions grouped by programme area (areas by name, decisions in report order; no area last)."""
    seen: dict[str, dict] = {}
    areas: dict[str, set[str | None]] = defaultdict(set)
    for r in with_spans(select, run(select, "session_decisions", iri), "d"):
        seen.setdefault(r["d"], r)
        areas[r["d"]].add(r["area"] and (r["area"], r["areaLabel"]))
    groups: dict[tuple | None, list[Sourced]] = defaultdict(list)
    for d, r in sorted(seen.items(), key=lambda kv: (kv[1]["paraNumber"] or 0, kv[1]["spanStart"] or 0, kv[0])):
        item = Sourced(f"{r['verb']} {r['object']}", local(r["span"]) or r["url"], r["paraNumber"],
                       {"verb": r["verb"], "object": r["object"], "object_link": link(r["objectIri"], r["object"]),
                        "agenda": r["notation"]})
        for area in sorted(areas[d] - {None}) or [None]:
            groups[area].append(item)
    keys = sorted((k for k in groups if k), key=lambda k: k[1]) + ([None] if None in groups else [])
    return [(link(*k) if k else None, groups[k]) for k in keys]


def _statements(select: Select, iri: str) -> list[tuple[Link | None, list[Sourced]]]:
    groups: dict[tuple | None, list[Sourced]] = defaultdict(list)
    for r in with_spans(select, run(select, "session_statements", iri), "st"):
        key = (r["state"], r["stateLabel"]) if r["state"] else None
        groups[key].append(Sourced(r["text"] or "", local(r["span"]), r["paraNumber"],
                                   {"kind": r["kind"], "agenda": r["notation"]}))
    keys = sorted((k for k in groups if k), key=lambda k: k[1]) + ([None] if None in groups else [])
    return [(link(*k) if k else None, sorted(groups[k], key=lambda s: s.paragraph or 0)) for k in keys]


def _events(select: Select, iri: str) -> list[Sourced]:
    props: dict[str, dict] = {}
    for r in run(select, "session_events", iri):
        props.setdefault(r["e"], {"e": r["e"]}).setdefault(r["key"], []).append(r["o"])
    rows = with_spans(select, [p for p in props.values() if p.get("name")], "e", within=iri)
    events = []
    for p in rows:
        one = {k: (min(v, key=str) if isinstance(v, list) else v) for k, v in p.items()}
        start = one.get("start")
        when = start.isoformat() if hasattr(start, "isoformat") else (one.get("period") or "")
        events.append(Sourced(one["name"], local(p["span"]), p["paraNumber"],
                              {"link": link(p["e"], one["name"]), "when": when, "place": one.get("place"),
                               "status": one.get("status"), "area": one.get("areaLabel")}))
    return sorted(events, key=lambda s: (s.paragraph or 0, s.text))
