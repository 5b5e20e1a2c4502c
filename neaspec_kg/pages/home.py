"""Data of the home page (the sessions as a timeline, the ways in) and of the commitments page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from neaspec_kg.pages.model import IRI_SAFE, Link, link, local, run, with_spans
from neaspec_kg.select import Select

MODES = {"http://schema.org/OfflineEventAttendanceMode": "in person",
         "http://schema.org/OnlineEventAttendanceMode": "online",
         "http://schema.org/MixedEventAttendanceMode": "hybrid"}


@dataclass(frozen=True)
class SessionEntry:
    link: Link
    number: int
    start: date | None
    end: date | None
    place: str | None
    host: Link | None
    mode: str | None
    has_report: bool
    sources: int


@dataclass(frozen=True)
class Home:
    sessions: list[SessionEntry]
    states: list[Link]
    areas: list[tuple[Link, int]]


def home(select: Select) -> Home:
    rows = list({r["m"]: r for r in reversed(run(select, "sessions"))}.values())[::-1]  # one row per session
    sessions = [
        SessionEntry(link=link(r["m"], r["id"]), number=r["number"], start=r["start"], end=r["end"], place=r["place"],
                     host=link(r["host"], r["hostLabel"]), mode=MODES.get(r["mode"] or ""),
                     has_report=r["report"] is not None, sources=r["sources"] or 0)
        for r in rows
    ]
    states = [link(r["state"], r["label"]) for r in run(select, "states")]
    counts = {r["area"]: r["decisions"] for r in run(select, "area_counts")}
    areas = [(link(r["area"], r["label"]), counts.get(r["area"], 0)) for r in run(select, "areas")]
    return Home(sessions=sessions, states=states, areas=areas)


@dataclass(frozen=True)
class Commitment:
    """A national commitment (pledge, target) or a reported achievement, with its source span."""
    iri: str
    is_progress: bool
    kind: str
    state: Link | None
    measure: str | None
    value: float | int | None
    unit: str | None
    year: int | None
    session: Link
    session_number: int
    paragraph: int | None
    description: str | None
    sdg_targets: list[Link] = field(default_factory=list)
    source: str | None = None  # the span of the report paragraph it was read from

    def csv_row(self) -> list:
        return [self.session.label, self.paragraph, "progress" if self.is_progress else "commitment", self.kind,
                self.state.label if self.state else "", self.measure or "", "" if self.value is None else self.value,
                self.unit or "", self.year or "", " ".join(t.label for t in self.sdg_targets), self.description or "",
                self.iri]


CSV_HEADER = ["session", "paragraph", "class", "kind", "state", "measure", "value", "unit", "year", "sdg_targets",
              "description", "iri"]


def commitments(select: Select, *, state: str | None = None, session: str | None = None) -> list[Commitment]:
    """Every commitment and reported progress, or those of one State or one session."""
    extra = ""  # required patterns (a FILTER or VALUES would meet the OPTIONAL on ?state too late)
    for prop, iri in (("committedBy", state), ("reportedAt", session)):
        if iri:
            if not IRI_SAFE.match(iri):
                raise ValueError(f"not an IRI: {iri!r}")
            extra += f"?c nea:{prop} <{iri}> .\n"
    rows = with_spans(select, run(select, "commitments", None, extra), "c")
    targets: dict[str, list[str]] = {}
    if rows:
        for t in run(select, "commitment_targets", None, extra):
            targets.setdefault(t["c"], []).append(str(t["code"]))
    out = []
    for r in rows:
        codes = sorted(set(targets.get(r["c"], [])), key=_code_key)
        out.append(Commitment(
            iri=r["c"], is_progress=r["class"] == "progress", kind=r["kind"] or r["class"],
            state=link(r["state"], r["stateLabel"]), measure=r["measure"], value=r["value"], unit=r["unit"],
            year=r["year"], session=link(r["m"], r["session"]), session_number=r["number"], paragraph=r["paraNumber"],
            description=r["description"],
            sdg_targets=[Link(f"/commitments?sdg={c}", c) for c in codes],
            source=local(r["span"]),
        ))
    return out


def _code_key(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 99 for p in code.split("."))


def filter_commitments(items: list[Commitment], *, state: str = "", kind: str = "", measure: str = "",
                       sdg: str = "", session: str = "") -> list[Commitment]:
    """The filters of the commitments page; ``sdg`` is a goal ('13') or a target ('13.2')."""
    def keep(c: Commitment) -> bool:
        return ((not state or (c.state is not None and c.state.label == state))
                and (not kind or c.kind == kind)
                and (not measure or c.measure == measure)
                and (not session or c.session.label == session)
                and (not sdg or any(t.label == sdg or t.label.split(".")[0] == sdg for t in c.sdg_targets)))
    return [c for c in items if keep(c)]
