"""Records of past sessions read from public web pages (data/curated/history/*.csv).

Each row states one fact about one session (its host, a State's attendance, its chair, a
decision, a related event) in the curator's own words, with the keys of the pages it was read
from (history/sources.csv) and a confidence. :func:`load_history` checks every reference
(sources, States, verbs, programme areas, documents, projects, organizations, sessions) and
returns typed records; a bad cell raises :class:`CuratedDataError` naming the file and line.
Only neaspec_kg.rdf.records knows about triples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from neaspec_kg.curated import Curated, CuratedDataError, Row, split_list

ATTENDANCE_STATUSES = ("attended", "absent", "expected", "not-expected")
EVENT_STATUSES = ("held", "planned", "proposed")
# How a follow-up names what it follows: a record decision "r3", a report decision "9-2",
# a report plan "plan/9".
_REF = re.compile(r"^(?:r(?P<record>[1-9][0-9]*)|(?P<para>[1-9][0-9]*)-(?P<ordinal>[1-9][0-9]*)|plan/(?P<plan>[1-9][0-9]*))$")


@dataclass(frozen=True)
class Sourced:
    """Where a record was read: keys of history/sources.csv, a confidence, notes."""

    sources: tuple[str, ...]
    confidence: str
    conflict: str = ""
    note: str = ""


@dataclass(frozen=True)
class Source:
    key: str
    url: str
    title: str
    publisher: str
    kind: str
    language: str
    published: str
    note: str


@dataclass(frozen=True)
class Hosting:
    session: int
    host_state: str | None  # canonical country name
    host_body: str
    organizer: str
    venue: str
    sourced: Sourced


@dataclass(frozen=True)
class Chair:
    session: int
    role: str  # key of roles.csv
    person: str
    position: str
    state: str | None
    sourced: Sourced


@dataclass(frozen=True)
class AttendanceRecord:
    session: int
    state: str  # canonical country name
    status: str  # attended | absent | expected | not-expected
    sourced: Sourced


@dataclass(frozen=True)
class RecordDecision:
    session: int
    k: int  # its number among the records of the session (decisions.csv column k)
    verb: str
    actor: str
    object_text: str
    programme_area: str | None
    documents: tuple[str, ...]
    projects: tuple[str, ...]
    mechanisms: tuple[str, ...]
    addressee: str | None
    sourced: Sourced


@dataclass(frozen=True)
class RecordEvent:
    key: str
    session: int
    name: str
    kind: str
    relation: str
    start_date: date | None
    end_date: date | None
    period: str
    place: str
    country: str | None
    status: str
    sourced: Sourced


@dataclass(frozen=True)
class Reference:
    """What a follow-up follows: a record decision, a report decision or a report plan."""

    session: int
    record: int | None = None
    paragraph: int | None = None
    ordinal: int | None = None
    plan: int | None = None


@dataclass(frozen=True)
class FollowUp:
    key: str
    origin: Reference
    request: str
    to_session: int | None
    result: Reference | None
    to_event: str | None
    outcome: str
    sourced: Sourced


@dataclass(frozen=True)
class Described:
    """A document or project named by the records (history/documents.csv, projects.csv)."""

    key: str
    title: str
    kind: str
    programme_area: str | None
    sources: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class History:
    sources: tuple[Source, ...]
    hostings: tuple[Hosting, ...]
    chairs: tuple[Chair, ...]
    attendance: tuple[AttendanceRecord, ...]
    decisions: tuple[RecordDecision, ...]
    documents: tuple[Described, ...]
    projects: tuple[Described, ...]
    events: tuple[RecordEvent, ...]
    follow_ups: tuple[FollowUp, ...]

    def sessions(self) -> set[int]:
        return ({h.session for h in self.hostings} | {c.session for c in self.chairs}
                | {a.session for a in self.attendance} | {d.session for d in self.decisions}
                | {e.session for e in self.events})


class _Reader:
    """Checks the cells of one table; every error names the file and the line."""

    def __init__(self, curated: Curated, table: str):
        self.curated, self.table = curated, table
        self.path = curated.source_path(table)
        self.source_keys = set(curated.by_key("history_sources"))
        self.row: Row = {}

    def fail(self, message: str) -> CuratedDataError:
        return CuratedDataError(f"{self.path}, line {self.row.get('_line', '?')}: {message}")

    def rows(self):
        for row in self.curated.rows(self.table):
            self.row = row
            yield row

    def session(self, column: str = "som_number", *, required: bool = True) -> int | None:
        cell = self.row[column]
        if not cell and not required:
            return None
        if not cell.isdigit() or int(cell) < 1:
            raise self.fail(f"{column} {cell!r} is not a session number")
        return int(cell)

    def one_of(self, column: str, allowed, *, required: bool = True, what: str = "") -> str | None:
        cell = self.row.get(column, "")
        if not cell and not required:
            return None
        if cell not in allowed:
            raise self.fail(f"{column} {cell!r} is not a known {what or column}")
        return cell

    def keys(self, column: str, allowed, what: str) -> tuple[str, ...]:
        found = tuple(split_list(self.row.get(column, "")))
        for key in found:
            if key not in allowed:
                raise self.fail(f"{column}: {key!r} is not a known {what}")
        return found

    def sourced(self) -> Sourced:
        sources = self.keys("sources", self.source_keys, "source (history/sources.csv)")
        if not sources:
            raise self.fail("a record needs at least one source (history/sources.csv key)")
        confidence = self.one_of("confidence", set(self.curated.by_key("confidence")), what="confidence")
        return Sourced(sources, confidence, self.row.get("conflict", ""), self.row.get("note", ""))

    def day(self, column: str) -> date | None:
        cell = self.row[column]
        if not cell:
            return None
        try:
            return date.fromisoformat(cell)
        except ValueError as exc:
            raise self.fail(f"{column} {cell!r} is not a date (YYYY-MM-DD)") from exc


def load_history(curated: Curated) -> History:
    documents = _described(curated, "history_documents", "documents")
    projects = _described(curated, "history_projects", "projects")
    decisions = _decisions(curated, {d.key for d in documents} | set(curated.by_key("documents")),
                           {p.key for p in projects} | set(curated.by_key("projects")))
    events = _events(curated)
    return History(_sources(curated), _hostings(curated), _chairs(curated), _attendance(curated), decisions,
                   documents, projects, events, _follow_ups(curated, decisions, {e.key for e in events}))


def _sources(curated: Curated) -> tuple[Source, ...]:
    r = _Reader(curated, "history_sources")
    found = []
    for row in r.rows():
        if not re.match(r"^https?://\S+$", row["url"]):
            raise r.fail(f"url {row['url']!r} is not an http(s) URL")
        r.one_of("kind", set(curated.by_key("source_kinds")), what="source kind")
        if row["published"] and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", row["published"]):
            raise r.fail(f"published {row['published']!r} is not a date, a year-month or a year")
        found.append(Source(row["key"], row["url"], row["title"], row["publisher"], row["kind"], row["language"],
                            row["published"], row["note"]))
    return tuple(found)


def _hostings(curated: Curated) -> tuple[Hosting, ...]:
    r = _Reader(curated, "history_hosts")
    return tuple(Hosting(r.session(), r.one_of("host_state", curated.countries, required=False, what="country"),
                         row["host_body"], row["organizer"], row["venue"], r.sourced()) for row in r.rows())


def _chairs(curated: Curated) -> tuple[Chair, ...]:
    r = _Reader(curated, "history_chairs")
    found, seen = [], set()
    for row in r.rows():
        chair = Chair(r.session(), r.one_of("role", curated.by_key("roles"), what="role"), row["person"],
                      row["position"], r.one_of("state", curated.countries, required=False, what="country"),
                      r.sourced())
        if not chair.person:
            raise r.fail("a chair record needs the person's name as the source gives it")
        if (chair.session, chair.role) in seen:
            raise r.fail(f"SOM-{chair.session} has a second {chair.role} row")
        seen.add((chair.session, chair.role))
        found.append(chair)
    return tuple(found)


def _attendance(curated: Curated) -> tuple[AttendanceRecord, ...]:
    r = _Reader(curated, "history_attendance")
    found, seen = [], set()
    for row in r.rows():
        record = AttendanceRecord(r.session(), r.one_of("state", curated.countries, what="country"),
                                  r.one_of("status", ATTENDANCE_STATUSES, what="attendance status"), r.sourced())
        key = (record.session, record.state, record.status)
        if key in seen:
            raise r.fail(f"SOM-{record.session}: {record.state} is already recorded as {record.status}")
        seen.add(key)
        found.append(record)
    return tuple(found)


def _decisions(curated: Curated, documents: set[str], projects: set[str]) -> tuple[RecordDecision, ...]:
    r = _Reader(curated, "history_decisions")
    mechanisms = {k for k, row in curated.by_key("organizations").items() if row["kind"] == "mechanism"}
    found, seen = [], set()
    for row in r.rows():
        session = r.session()
        if not row["k"].isdigit() or int(row["k"]) < 1:
            raise r.fail(f"k {row['k']!r} is not a positive number")
        if (session, int(row["k"])) in seen:
            raise r.fail(f"SOM-{session} already has a decision record {row['k']}")
        seen.add((session, int(row["k"])))
        if not row["object"] or not row["actor"]:
            raise r.fail("a decision record needs an actor and an object")
        found.append(RecordDecision(
            session, int(row["k"]), r.one_of("verb", curated.by_key("decision_verbs"), what="decision verb"),
            row["actor"], row["object"],
            r.one_of("programme_area", curated.by_key("programme_areas"), required=False, what="programme area"),
            r.keys("documents", documents, "document"), r.keys("projects", projects, "project"),
            r.keys("mechanisms", mechanisms, "mechanism (organizations.csv kind mechanism)"),
            row["addressee"] or None, r.sourced()))
    return tuple(found)


def _described(curated: Curated, table: str, base_table: str) -> tuple[Described, ...]:
    r = _Reader(curated, table)
    base = curated.by_key(base_table)
    found = []
    for row in r.rows():
        if row["key"] in base:
            raise r.fail(f"{row['key']!r} is already described in {curated.source_path(base_table).name}")
        sources = r.keys("sources", r.source_keys, "source (history/sources.csv)")
        if not sources:
            raise r.fail("a row needs at least one source (history/sources.csv key)")
        area = r.one_of("programme_area", curated.by_key("programme_areas"), required=False, what="programme area")
        found.append(Described(row["key"], row["title"], row.get("kind", ""), area, sources, row.get("note", "")))
    return tuple(found)


def _events(curated: Curated) -> tuple[RecordEvent, ...]:
    r = _Reader(curated, "history_events")
    found = []
    for row in r.rows():
        event = RecordEvent(row["key"], r.session(), row["name"], r.one_of("kind", curated.by_key("event_kinds"),
                                                                             what="event kind"),
                            row["relation"], r.day("start_date"), r.day("end_date"), row["period"], row["place"],
                            r.one_of("country", curated.countries, required=False, what="country"),
                            r.one_of("status", EVENT_STATUSES, what="event status"), r.sourced())
        if event.start_date and event.end_date and event.start_date > event.end_date:
            raise r.fail(f"the event ends ({event.end_date}) before it starts ({event.start_date})")
        found.append(event)
    return tuple(found)


def _reference(r: _Reader, session: int, cell: str) -> Reference:
    m = _REF.match(cell)
    if m is None:
        raise r.fail(f"{cell!r} is not a reference (r<k>, <paragraph>-<k> or plan/<paragraph>)")
    ints = {k: int(v) for k, v in m.groupdict().items() if v}
    return Reference(session, ints.get("record"), ints.get("para"), ints.get("ordinal"), ints.get("plan"))


def _follow_ups(curated: Curated, decisions: tuple[RecordDecision, ...], events: set[str]) -> tuple[FollowUp, ...]:
    r = _Reader(curated, "history_follow_ups")
    records = {(d.session, d.k) for d in decisions}
    found = []
    for row in r.rows():
        origin = _reference(r, r.session("from_som"), row["from_ref"])
        to_session = r.session("to_som", required=False)
        result = _reference(r, to_session, row["to_ref"]) if row["to_ref"] and to_session else None
        for ref in (origin, result):
            if ref is not None and ref.record is not None and (ref.session, ref.record) not in records:
                raise r.fail(f"SOM-{ref.session} has no decision record r{ref.record} (history/decisions.csv)")
        if to_session is not None and to_session <= origin.session:
            raise r.fail(f"a follow-up must be at a later session than SOM-{origin.session}, not SOM-{to_session}")
        to_event = r.one_of("to_event", events, required=False, what="event (history/events.csv)")
        if to_session is None and to_event is None:
            raise r.fail("a follow-up needs the later session (to_som) or event (to_event) that shows it")
        found.append(FollowUp(row["key"], origin, row["request"], to_session, result, to_event,
                              r.one_of("outcome", set(curated.by_key("follow_up_outcomes")), what="outcome"),
                              r.sourced()))
    return tuple(found)
