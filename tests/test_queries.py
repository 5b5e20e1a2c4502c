"""Every documented query in queries/ runs on the built graph and gives the answer the sources give."""

from __future__ import annotations

from pathlib import Path

import pytest

from neaspec_kg.namespaces import rebase

QUERIES = Path(__file__).resolve().parent.parent / "queries"


def run(store, name: str) -> list[dict[str, str | None]]:
    solutions = store.query(rebase((QUERIES / name).read_text(encoding="utf-8")))
    names = [v.value for v in solutions.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in solutions]


def column(rows, name):
    return [r[name] for r in rows]


def test_every_query_is_documented_and_tested():
    files = sorted(p.name for p in QUERIES.glob("*.rq"))
    assert len(files) >= 15
    for name in files:
        head = (QUERIES / name).read_text(encoding="utf-8").splitlines()[:2]
        assert head[0].startswith("# title: ") and head[1].startswith("# description: "), name
    untested = set(files) - set(EXPECTATIONS)
    assert not untested, f"queries without an expected answer in this test: {sorted(untested)}"


def _officers(rows):
    assert [(r["session"], r["role"], r["person"], r["state"]) for r in rows] == [
        ("SOM-27", "Chair", "ZHOU Jun", "China"),
        ("SOM-27", "Rapporteur", "TSOGZOLMAA Nanjaa", "Mongolia"),
        ("SOM-27", "Vice-Chair", "CHO Gye Yeon", "Republic of Korea"),
    ]
    assert all(r["paragraph"].endswith("/som-27/report/en/para/15") for r in rows)


def _never_chaired(rows):
    assert column(rows, "state") == ["Democratic People's Republic of Korea", "Japan", "Mongolia",
                                     "Republic of Korea", "Russian Federation"]


def _sessions(rows):
    assert [int(r["number"]) for r in rows] == list(range(1, 29))  # one row per session, no duplicates
    by_number = {int(r["number"]): r for r in rows}
    assert (by_number[27]["start"], by_number[27]["end"], by_number[27]["place"]) == ("2024-12-12", "2024-12-13", "Beijing")
    assert by_number[4]["start"] is None  # no public source: not guessed
    assert by_number[24]["mode"] == "http://schema.org/OnlineEventAttendanceMode"
    assert "17 Mar 2010" in (by_number[15]["conflict"] or "")


def _per_country(rows):
    counts = {r["country"]: (int(r["sessions"]), r["first"], r["last"]) for r in rows}
    assert counts["Republic of Korea"] == (6, "1993", "2023")
    assert counts["Mongolia"] == (5, "2008", "2025")  # SOM-3 (Ulaanbaatar, 1996) has no exact date


def _decisions_by_area(rows):
    areas = set(column(rows, "area"))
    assert {"Air Pollution", "Biodiversity and Nature Conservation", "Marine Protected Areas",
            "Low Carbon Cities", "Desertification and Land Degradation"} <= areas
    endorsed = [r for r in rows if r["verb"] == "endorsed"]
    assert [(r["area"], r["paragraphNumber"]) for r in endorsed] == [("Core Fund and Project-based Fund", "54")]


def _air_pollution(rows):
    verbs = column(rows, "verb")
    assert set(column(rows, "year")) == {"2024"} and "approved" in verbs and "adopted" in verbs
    assert any("Executive Summary of the NEACAP Policy Analysis Report" in r["object"] for r in rows if r["verb"] == "approved")


def _requests(rows):
    assert len(rows) >= 5 and {r["session"] for r in rows} == {"SOM-27"}
    assert any("within two weeks" in r["text"] for r in rows)


def _commitments_by_state(rows):
    states = set(column(rows, "state"))
    assert {"China", "Japan", "Mongolia", "Republic of Korea"} <= states
    pledges = {(r["value"], r["unit"]) for r in rows if r["state"] == "Republic of Korea" and r["kind"] == "pledge"}
    assert pledges == {("300000000", "US dollar"), ("7000000", "US dollar")}


def _for_2030(rows):
    assert {(r["state"], r["measure"], float(r["value"])) for r in rows} == {
        ("Japan", "Greenhouse gas emissions", 46.0),
        ("Mongolia", "Protected area", 30.0),
        ("Republic of Korea", "Greenhouse gas emissions", 40.0),
    }


def _progress(rows):
    russia = {(r["measure"], float(r["value"]), r["unit"]) for r in rows if r["state"] == "Russian Federation"}
    assert ("Air pollution level", 13.3, "percent") in russia
    assert ("Protected area", 5400000.0, "hectare") in russia
    assert next(r["year"] for r in rows if r["measure"] == "Air pollution level") == "2023"


def _sdg13(rows):
    assert {"Japan", "Mongolia", "Republic of Korea"} <= set(column(rows, "state"))
    assert all(r["target"].startswith("13.") for r in rows)
    assert all(r["method"] for r in rows)  # every link says how it was made


def _project_trace(rows):
    assert {r["funder"] for r in rows} == {"Russian Federation"}
    assert sorted(column(rows, "scientificName")) == ["Antigone vipio", "Grus monacha", "Platalea minor"]
    assert {r["scientificName"]: r["iucn"] for r in rows}["Platalea minor"] == "EN"


def _taxa(rows):
    tiger = next(r for r in rows if r["scientificName"] == "Panthera tigris altaica")
    assert "Amur tiger" in tiger["names"] and "Siberian tiger" in tiger["names"]  # one taxon, both names
    # Named "Amur tigers" in paragraph 31 and "Siberian tiger" in paragraph 35: both reach it.
    assert {"31", "35"} <= set(tiger["paragraphs"].split())


def _attendance(rows):
    assert column(rows, "attendee") == [f"Delegation of {s} to SOM-27" for s in
                                        ("China", "Japan", "Mongolia", "Republic of Korea", "Russian Federation")]


def _statements(rows):
    item4 = {r["speaker"] for r in rows if r["item"] == "4"}
    assert {f"Delegation of {s} to SOM-27" for s in
            ("China", "Japan", "Mongolia", "Republic of Korea", "Russian Federation")} <= item4


def _plans(rows):
    assert {(r["plannedAt"], r["planned"], r["tentativeHost"]) for r in rows} == {("SOM-27", "SOM-28", "Mongolia")}
    assert "late September 2025" in column(rows, "timing")
    assert {r["start"] for r in rows} == {"2025-09-22"}  # it did happen in late September


def _events(rows):
    forum = next(r for r in rows if r["event"] == "4th International Forum on Low Carbon Cities")
    assert (forum["start"], forum["place"], forum["status"]) == ("2024-10-08", "Kitakyushu", "held")
    assert any(r["status"] in ("planned", "proposed") for r in rows)


def _approved(rows):
    documents = set(column(rows, "document"))
    assert "Executive Summary of the NEACAP Policy Analysis Report" in documents
    assert all(r["quote"] for r in rows)


def _quality(rows):
    codes = column(rows, "code")
    assert codes.count("heading-session-mismatch") == 2 and codes.count("agenda-subheading-without-number") == 3


def _sdg_methods(rows):
    methods = set(column(rows, "method"))
    assert {"term rule", "measure mapping", "lexical similarity", "curated"} <= methods


def _one_row_per(rows, key="iri"):
    keys = column(rows, key)
    assert len(keys) == len(set(keys)), "a table has one row per resource"


def _table_commitments(rows):
    _one_row_per(rows)
    assert len(rows) == 14
    korea = {(r["kind"], r["value"], r["unit_code"], r["year"]) for r in rows if r["state"] == "Republic of Korea"}
    assert korea == {("commitment", "40", "http://qudt.org/vocab/unit/PERCENT", "2030"),
                     ("commitment", "300000000", "http://qudt.org/vocab/unit/CCY_USD", None),
                     ("commitment", "7000000", "http://qudt.org/vocab/unit/CCY_USD", None)}
    net_zero = next(r for r in rows if r["state"] == "Japan" and r["year"] == "2050" and "net-zero" in r["description"])
    assert net_zero["value"] is None  # no number is printed for net zero: none is invented
    russia = next(r for r in rows if r["measure"] == "Air pollution level")
    assert (russia["kind"], russia["value"], russia["year"]) == ("progress", "13.3", "2023")


def _table_decisions(rows):
    _one_row_per(rows)
    assert len(rows) >= 60 and {r["session"] for r in rows} == {"SOM-27"}
    assert any(r["verb"] == "endorsed" and r["paragraph"] == "54" for r in rows)


def _table_officers(rows):
    assert [(r["role"], r["person"], r["state"], r["paragraph"]) for r in rows] == [
        ("Chair", "ZHOU Jun", "China", "15"), ("Rapporteur", "TSOGZOLMAA Nanjaa", "Mongolia", "15"),
        ("Vice-Chair", "CHO Gye Yeon", "Republic of Korea", "15")]


def _table_participants(rows):
    attendees = {r["state"] for r in rows if r["role"] == "attendee"}
    assert attendees == {"China", "Japan", "Mongolia", "Republic of Korea", "Russian Federation"}


def _table_projects(rows):
    assert {r["funders"] for r in rows} == {"Russian Federation"}
    assert sorted(column(rows, "scientific_name")) == ["Antigone vipio", "Grus monacha", "Platalea minor"]


def _table_sessions(rows):
    _one_row_per(rows)
    assert [int(r["number"]) for r in rows] == list(range(1, 29))


EXPECTATIONS = {
    "table-commitments.rq": _table_commitments,
    "table-decisions.rq": _table_decisions,
    "table-officers.rq": _table_officers,
    "table-participants.rq": _table_participants,
    "table-projects.rq": _table_projects,
    "table-sessions.rq": _table_sessions,
    "officers-by-session.rq": _officers,
    "states-never-chaired.rq": _never_chaired,
    "sessions.rq": _sessions,
    "sessions-per-host-country.rq": _per_country,
    "decisions-by-programme-area.rq": _decisions_by_area,
    "air-pollution-decisions-by-year.rq": _air_pollution,
    "requests-to-secretariat.rq": _requests,
    "commitments-by-state.rq": _commitments_by_state,
    "commitments-for-2030.rq": _for_2030,
    "progress-reported.rq": _progress,
    "commitments-serving-sdg13.rq": _sdg13,
    "project-trace.rq": _project_trace,
    "taxa-mentioned.rq": _taxa,
    "attendance.rq": _attendance,
    "statements-per-delegation.rq": _statements,
    "session-plans-vs-reality.rq": _plans,
    "related-events.rq": _events,
    "approved-documents.rq": _approved,
    "data-quality-issues.rq": _quality,
    "sdg-links-by-method.rq": _sdg_methods,
}


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_query_answer(store, name):
    rows = run(store, name)
    assert rows, f"{name} returned nothing"
    EXPECTATIONS[name](rows)
