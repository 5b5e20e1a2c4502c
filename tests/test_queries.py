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


def _session(rows, session="SOM-27", key="session"):
    """The rows of one session: what that session's sources state, whatever other sessions add."""
    return [r for r in rows if r[key] == session]


def _officers(rows):
    rows = _session(rows)
    assert [(r["session"], r["role"], r["person"], r["state"]) for r in rows] == [
        ("SOM-27", "Chair", "ZHOU Jun", "China"),
        ("SOM-27", "Rapporteur", "TSOGZOLMAA Nanjaa", "Mongolia"),
        ("SOM-27", "Vice-Chair", "CHO Gye Yeon", "Republic of Korea"),
    ]
    assert all(r["paragraph"].endswith("/som-27/report/en/para/15") for r in rows)


def _never_chaired(rows):
    states = column(rows, "state")
    assert len(states) == len(set(states)) and set(states) <= MEMBER_STATES
    # China chaired SOM-27 (its report), Japan SOM-10 and the Republic of Korea SOM-26 (public records).
    assert not {"China", "Japan", "Republic of Korea"} & set(states)


def _sessions(rows):
    numbers = [int(r["number"]) for r in rows]
    assert len(numbers) >= 28 and numbers == list(range(1, len(numbers) + 1))  # one row per session, in order
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
    som27 = [r for r in rows if r["number"] == "27" and r["paragraphNumber"]]  # what the SOM-27 report states
    assert {"Air Pollution", "Biodiversity and Nature Conservation", "Marine Protected Areas",
            "Low Carbon Cities", "Desertification and Land Degradation"} <= set(column(som27, "area"))
    endorsed = [r for r in som27 if r["verb"] == "endorsed"]
    assert [(r["area"], r["paragraphNumber"]) for r in endorsed] == [("Core Fund and Project-based Fund", "54")]
    # A record of SOM-22 (its official page): NEACAP launched by endorsing its Terms of Reference.
    som22 = {(r["area"], r["verb"], r["confidence"]) for r in rows if r["number"] == "22"}
    assert ("Air Pollution", "endorsed", "official page") in som22 and ("Air Pollution", "launched", "two agreeing sources") in som22
    assert ("Marine Protected Areas", "launched") in {(r["area"], r["verb"]) for r in rows if r["number"] == "18"}
    numbers = [int(r["number"]) for r in rows if r["area"] == "Air Pollution"]
    assert numbers == sorted(numbers)


def _air_pollution(rows):
    years = column(rows, "year")
    assert years == sorted(years, key=int)
    som27 = _session(rows)
    verbs = column(som27, "verb")
    assert set(column(som27, "year")) == {"2024"} and "approved" in verbs and "adopted" in verbs
    assert any("Executive Summary of the NEACAP Policy Analysis Report" in r["object"] for r in som27 if r["verb"] == "approved")
    som22 = _session(rows, "SOM-22")
    assert {"2018"} == set(column(som22, "year")) and "endorsed" in column(som22, "verb")


def _requests(rows):
    som27 = _session(rows)
    assert len(som27) >= 5 and all(r["paragraphNumber"] for r in som27)
    assert any("within two weeks" in r["text"] for r in som27)


def _commitments_by_state(rows):
    states = set(column(rows, "state"))
    assert {"China", "Japan", "Mongolia", "Republic of Korea"} <= states
    pledges = {(r["value"], r["unit"]) for r in _session(rows) if r["state"] == "Republic of Korea" and r["kind"] == "pledge"}
    assert pledges == {("300000000", "US dollar"), ("7000000", "US dollar")}


def _for_2030(rows):
    assert {(r["state"], r["measure"], float(r["value"])) for r in _session(rows)} == {
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


MIGRATORY_BIRDS = "Connectivity Conservation for Habitats of Flagship Migratory Birds in North-East Asia"


def _project_trace(rows):
    birds = [r for r in rows if r["project"] == MIGRATORY_BIRDS]
    assert {r["funder"] for r in birds} == {"Russian Federation"}
    assert sorted(column(birds, "scientificName")) == ["Antigone vipio", "Grus monacha", "Platalea minor"]
    assert {r["scientificName"]: r["iucn"] for r in birds}["Platalea minor"] == "EN"
    # Projects known from public records only have no funder or taxon the graph does not know.
    dss = [r for r in rows if r["project"] == "Project on the Mitigation of Dust and Sandstorms"]
    assert [(r["funder"], r["scientificName"]) for r in dss] == [(None, None)]


def _taxa(rows):
    tiger = next(r for r in rows if r["scientificName"] == "Panthera tigris altaica")
    assert "Amur tiger" in tiger["names"] and "Siberian tiger" in tiger["names"]  # one taxon, both names
    # Named "Amur tigers" in paragraph 31 and "Siberian tiger" in paragraph 35: both reach it.
    assert {"31", "35"} <= set(tiger["paragraphs"].split())


def _attendance(rows):
    assert column(_session(rows), "attendee") == [f"Delegation of {s} to SOM-27" for s in
                                        ("China", "Japan", "Mongolia", "Republic of Korea", "Russian Federation")]


MEMBER_STATES = {"China", "Democratic People's Republic of Korea", "Japan", "Mongolia", "Republic of Korea",
                 "Russian Federation"}


def _statements(rows):
    item4 = {r["speaker"] for r in rows if r["item"] == "4"}
    assert {f"Delegation of {s} to SOM-27" for s in
            ("China", "Japan", "Mongolia", "Republic of Korea", "Russian Federation")} <= item4


def _plans(rows):
    rows = _session(rows, key="plannedAt")  # the plans SOM-27 made: later reports make their own
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
    rows = _session(rows)  # what one report states: a second report adds rows
    assert len(rows) == 15
    bays = next(r for r in rows if r["measure"] == "Bay development")  # "from 50 to over 110 bays" (para 16)
    assert (bays["state"], bays["kind"], bays["value"]) == ("China", "progress", "110")
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
    som27 = _session(rows)
    assert len(som27) >= 60 and all(r["paragraph"] and r["text"] for r in som27)
    assert any(r["verb"] == "endorsed" and r["paragraph"] == "54" for r in som27)


def _table_officers(rows):
    assert ("Chair", "Takemoto", "Japan", None) in {(r["role"], r["person"], r["state"], r["paragraph"])
                                                    for r in _session(rows, "SOM-10")}
    assert [(r["role"], r["person"], r["state"], r["paragraph"]) for r in _session(rows)] == [
        ("Chair", "ZHOU Jun", "China", "15"), ("Rapporteur", "TSOGZOLMAA Nanjaa", "Mongolia", "15"),
        ("Vice-Chair", "CHO Gye Yeon", "Republic of Korea", "15")]


def _table_participants(rows):
    attendees = {r["state"] for r in _session(rows) if r["role"] == "attendee"}
    assert attendees == {"China", "Japan", "Mongolia", "Republic of Korea", "Russian Federation"}
    assert {r["state"] for r in _session(rows, "SOM-2") if r["role"] == "attendee"} == MEMBER_STATES


def _table_projects(rows):
    birds = [r for r in rows if r["project"] == MIGRATORY_BIRDS]
    assert {r["funders"] for r in birds} == {"Russian Federation"}
    assert sorted(column(birds, "scientific_name")) == ["Antigone vipio", "Grus monacha", "Platalea minor"]
    assert {"Project on Nature Conservation in Transboundary Areas", MIGRATORY_BIRDS} <= set(column(rows, "project"))


def _table_sessions(rows):
    _one_row_per(rows)
    numbers = [int(r["number"]) for r in rows]
    assert len(numbers) >= 28 and numbers == list(range(1, len(numbers) + 1))


# --- records of past sessions (graph/records, data/curated/history) -------------------------------
def _documents_adopted(rows):
    by_session = {}
    for r in rows:
        by_session.setdefault(r["session"], set()).add((r["verb"], r["document"]))
    assert ("adopted", "Framework for the North-East Asian Subregional Programme of Environmental Cooperation") \
        in by_session["SOM-3"]
    assert ("adopted", "NEASPEC Strategic Plan 2016-2020") in by_session["SOM-20"]
    assert ("endorsed", "Terms of Reference of the North-East Asia Clean Air Partnership") in by_session["SOM-22"]
    # Read from the SOM-27 report and from the press: one document, one IRI.
    approved = [r for r in rows if r["session"] == "SOM-27" and r["verb"] == "approved"
                and r["document"] == "Executive Summary of the NEACAP Policy Analysis Report"]
    assert len(approved) == 1 and approved[0]["iri"].endswith("/id/doc/neacap-policy-analysis-report-executive-summary")
    assert [int(r["number"]) for r in rows] == sorted(int(r["number"]) for r in rows)


def _projects_by_year(rows):
    rows_2009 = {(r["session"], r["verb"], r["project"]) for r in rows if r["year"] == "2009"}
    assert {("SOM-14", "approved", "Project on Nature Conservation in Transboundary Areas"),
            ("SOM-14", "approved", "Project on the Mitigation of Dust and Sandstorms")} <= rows_2009
    assert ("SOM-18", "endorsed") in {(r["session"], r["verb"]) for r in rows if r["year"] == "2013"}
    assert column(rows, "year") == sorted(column(rows, "year"))


def _hosts_and_chairs(rows):
    by_number = {}
    for r in rows:
        by_number.setdefault(int(r["number"]), []).append(r)
    assert sorted(by_number) == list(range(1, max(by_number) + 1))  # every session, known or not
    assert {(r["host"], r["chair"], r["chairState"]) for r in by_number[27]} == {("China", "ZHOU Jun", "China")}
    assert {(r["chair"], r["chairState"]) for r in by_number[10]} == {("Takemoto", "Japan")}
    assert {(r["host"], r["chair"]) for r in by_number[26]} == {("Republic of Korea", "Yun Hyunsoo")}
    assert {r["host"] for r in by_number[19]} == {"Russian Federation"}
    # No source names a host or a chair of SOM-4: unknown stays empty.
    assert [(r["host"], r["chair"], r["start"]) for r in by_number[4]] == [(None, None, None)]


def _attendance_by_state(rows):
    dprk = {(r["number"], r["status"]) for r in rows if r["state"] == "Democratic People's Republic of Korea"}
    assert {("2", "attended"), ("14", "attended"), ("27", "absent"), ("28", "attended")} <= dprk
    korea_13 = [(r["status"], r["confidence"]) for r in rows if r["state"] == "Republic of Korea" and r["number"] == "13"]
    assert korea_13 == [("expected (preview)", "preview only")]  # a preview is no proof of attendance
    som27 = {r["state"] for r in rows if r["number"] == "27" and r["status"] == "attended"}
    assert som27 == MEMBER_STATES - {"Democratic People's Republic of Korea"}


def _follow_ups(rows):
    found = {(r["from"], r["outcome"], r["to"].split(" (")[0]) for r in rows}
    assert ("SOM-17", "done", "SOM-18") in found  # an MPA network endorsed, then NEAMPAN launched
    assert ("SOM-27", "done", "SOM-28") in found  # the session plan of the SOM-27 report
    assert ("SOM-6", "not known", "SOM-8") in found  # no record of SOM-8
    assert ("SOM-1", "done later", "SOM-2") in found


def _table_record_decisions(rows):
    _one_row_per(rows)
    assert all(r["sources"].startswith("http") and r["confidence"] for r in rows)
    som22 = _session(rows, "SOM-22")
    assert ("endorsed", "Air Pollution") in {(r["verb"], r["programme_area"]) for r in som22}
    assert all("/id/meeting/som-22/decision/r" in r["iri"] for r in som22)


def _table_documents_adopted(rows):
    assert ("SOM-24", "adopted", "NEACAP Work Plan 2021-2025") in {(r["session"], r["verb"], r["document"]) for r in rows}
    assert all(r["iri"].startswith("https://w3id.org/neaspec/id/doc/") for r in rows)


def _table_projects_approved(rows):
    _one_row_per(rows, "decision")
    assert ("2009", "Project on Nature Conservation in Transboundary Areas") in {(r["year"], r["project"]) for r in rows}


def _table_hosts_chairs(rows):
    assert {(r["host"], r["venue"]) for r in _session(rows, "SOM-5")} >= {("Japan", "Kobe International Conference Center, Kobe")}
    assert {r["chair"] for r in _session(rows, "SOM-26")} == {"Yun Hyunsoo"}


def _table_attendance(rows):
    assert ("Japan", "attended", "two agreeing sources") in {(r["state"], r["status"], r["confidence"])
                                                             for r in _session(rows, "SOM-5")}


def _table_follow_ups(rows):
    row = next(r for r in rows if r["iri"].endswith("/follow-up/som-19-strategic-plan"))
    assert (row["from"], row["outcome"]) == ("SOM-19", "done") and "neaspec.org" in row["sources"]


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
    "documents-adopted-per-session.rq": _documents_adopted,
    "projects-by-year-approved.rq": _projects_by_year,
    "hosts-and-chairs.rq": _hosts_and_chairs,
    "attendance-by-state.rq": _attendance_by_state,
    "follow-ups.rq": _follow_ups,
    "table-record-decisions.rq": _table_record_decisions,
    "table-documents-adopted.rq": _table_documents_adopted,
    "table-projects-approved.rq": _table_projects_approved,
    "table-hosts-chairs.rq": _table_hosts_chairs,
    "table-attendance.rq": _table_attendance,
    "table-follow-ups.rq": _table_follow_ups,
}


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_query_answer(store, name):
    rows = run(store, name)
    assert rows, f"{name} returned nothing"
    EXPECTATIONS[name](rows)
