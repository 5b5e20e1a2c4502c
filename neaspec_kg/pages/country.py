"""Data of a State's page: sessions attended and hosted, offices, statements, commitments and
progress (table and chart), the SDG targets they serve."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from neaspec_kg.pages.home import Commitment, commitments
from neaspec_kg.pages.model import Link, distinct, link, local, run, with_spans
from neaspec_kg.pages.session import Sourced
from neaspec_kg.select import Select


@dataclass(frozen=True)
class SessionTaken:
    link: Link
    number: int
    start: date | None
    place: str | None
    attended: bool
    hosted: bool


@dataclass(frozen=True)
class StatePage:
    iri: str
    name: str
    matches: list[str]
    sessions: list[SessionTaken]
    offices: list[Sourced]
    statements: list[tuple[Link, list[Sourced]]]
    commitments: list[Commitment]
    sdg_targets: list[tuple[Link, int]]


def state_page(select: Select, iri: str) -> StatePage | None:
    rows = run(select, "state", iri)
    if not rows:
        return None
    sessions: dict[str, dict] = {}
    for r in run(select, "state_sessions", iri):
        s = sessions.setdefault(r["m"], {**r, "attended": False, "hosted": False})
        s["attended"] |= bool(r["attended"])
        s["hosted"] |= bool(r["hosted"])
    statements: dict[tuple, list[Sourced]] = defaultdict(list)
    for r in with_spans(select, run(select, "state_statements", iri), "st"):
        statements[(r["number"], r["m"], r["id"])].append(
            Sourced(r["text"] or "", local(r["span"]), r["paraNumber"], {"kind": r["kind"]}))
    items = commitments(select, state=iri)
    targets: dict[str, list] = {}
    for c in items:
        for t in c.sdg_targets:
            targets.setdefault(t.label, [t, 0])[1] += 1
    return StatePage(
        iri=iri, name=rows[0]["label"], matches=distinct(r["match"] for r in rows),
        sessions=[SessionTaken(link(s["m"], s["id"]), s["number"], s["start"], s["place"], s["attended"], s["hosted"])
                  for s in sorted(sessions.values(), key=lambda s: s["number"])],
        offices=[Sourced(f"{r['roleLabel']} of {r['id']}: {r['name']}", local(r["span"]), None,
                         {"session": link(r["m"], r["id"])})
                 for r in with_spans(select, run(select, "state_offices", iri), "h")],
        statements=[(link(m, ident), items_) for (_, m, ident), items_ in sorted(statements.items())],
        commitments=items,
        sdg_targets=[(t, n) for t, n in sorted(targets.values(), key=lambda tn: tn[0].label)],
    )


def commitment_chart(items: list[Commitment]) -> dict:
    """Chart data: one series per measure and unit, points (year, value) marked by kind."""
    series: dict[str, list[dict]] = defaultdict(list)
    for c in items:
        if c.value is None or c.year is None:
            continue
        series[f"{c.measure or 'measure'} ({c.unit or 'no unit'})"].append(
            {"x": c.year, "y": c.value, "kind": c.kind, "state": c.state.label if c.state else "",
             "session": c.session.label})
    return {"type": "commitments", "series": [{"label": k, "points": v} for k, v in sorted(series.items())]}
