"""Related events on the real SOM-27 report, and the genre rules on a synthetic report."""

from __future__ import annotations

from datetime import date

import pytest

from neaspec_kg.extract.events import extract_events
from neaspec_kg.report import parse_report_text


@pytest.fixture(scope="module")
def events(som27, curated):
    warnings: list = []
    found = extract_events(som27, curated, warnings)
    return found, warnings


def _at(events, paragraph, key):
    (event,) = [e for e in events[0] if e.span.paragraph == paragraph and e.key == key]
    return event


def test_spans_are_exact(som27, events):
    for e in events[0]:
        text = som27.paragraph(e.span.paragraph).text
        assert text[e.span.start:e.span.end] == e.span.exact == e.name


def test_second_policy_dialogue_is_one_event_under_three_names(events):
    paragraphs = {e.span.paragraph: e for e in events[0] if e.key == "neacap-policy-dialogue-2"}
    assert sorted(paragraphs) == [3, 25, 26, 27, 28]
    assert paragraphs[3].name == "Second NEACAP Policy Dialogue"
    assert paragraphs[3].period == "first half of 2025"
    assert paragraphs[27].name == "Second Policy Dialogue" and paragraphs[27].period == "mid-2025"
    assert {e.status for e in paragraphs.values()} == {"planned"}
    assert {e.kind for e in paragraphs.values()} == {"policy-dialogue"}
    assert paragraphs[3].programme_area == "air-pollution"


def test_first_policy_dialogue_by_number_and_by_word(events):
    assert _at(events, 22, "neacap-policy-dialogue-1").name == "1st Policy Dialogue"
    assert _at(events, 23, "neacap-policy-dialogue-1").name == "First Policy Dialogue"


def test_science_and_policy_committee_meetings(events):
    spc7 = _at(events, 3, "neacap-spc-7")
    assert spc7.name == "seventh meeting of the Science and Policy Committee (SPC-7)"
    assert (spc7.kind, spc7.ordinal, spc7.status) == ("committee-meeting", 7, "planned")
    spc6 = _at(events, 22, "neacap-spc-6")
    assert (spc6.start_date, spc6.place, spc6.country, spc6.status) == (
        date(2024, 9, 24), "Incheon", "Republic of Korea", "held")


def test_fourth_forum_dates_place_and_organizers(events):
    held = _at(events, 39, "international-forum-on-low-carbon-cities-4")
    assert (held.start_date, held.end_date) == (date(2024, 10, 8), date(2024, 10, 9))
    assert (held.place, held.country, held.ordinal, held.kind) == ("Kitakyushu", "Japan", 4, "forum")
    assert _at(events, 40, "international-forum-on-low-carbon-cities-4").organizers == ("kitakyushu", "iges", "jica")
    assert set(_at(events, 42, "international-forum-on-low-carbon-cities-4").organizers) == {
        "kitakyushu", "escap-enea", "incheon"}


def test_fifth_forum_is_proposed_and_the_next_forum_is_the_fifth(events):
    fifth = _at(events, 6, "international-forum-on-low-carbon-cities-5")
    assert (fifth.status, fifth.place, fifth.period) == ("proposed", "Vladivostok", "2025")
    nxt = _at(events, 41, "international-forum-on-low-carbon-cities-5")
    assert nxt.name == "International Low Carbon Cities Forum" and nxt.ordinal == 5
    # The series mention "the International Forum on Low Carbon Cities in the coming years" is no event.
    assert [e.key for e in events[0] if e.span.paragraph == 6] == [
        "international-forum-on-low-carbon-cities-4", "international-forum-on-low-carbon-cities-5",
        "eastern-economic-forum-2025"]


def test_workshop_short_form_and_dates(events):
    key = "workshop-on-nature-conservation-and-biodiversity-for-transboundary-cooperation-2024"
    dated = _at(events, 29, key)
    assert (dated.start_date, dated.end_date, dated.place) == (date(2024, 8, 28), date(2024, 8, 29), "Incheon")
    assert _at(events, 4, key).kind == "workshop"
    assert _at(events, 31, key).name == "transboundary cooperation workshop"


def test_cop_named_two_ways_gets_one_key(events):
    cop = _at(events, 7, "unccd-cop-17")
    assert (cop.ordinal, cop.period, cop.status, cop.organizers) == (17, "2026", "planned", ("unccd",))
    assert _at(events, 18, "unccd-cop-17").name == "United Nations Convention to Combat Desertification (UNCCD) COP"
    assert _at(events, 57, "unfccc-cop-29").ordinal == 29


def test_expert_group_meeting_and_working_group(events):
    egm = _at(events, 61, "strategic-planning-expert-group-meeting-2024")
    assert egm.start_date == date(2024, 12, 13)
    assert _at(events, 9, "strategic-planning-expert-group-meeting-2024").organizers == ("escap-enea",)
    wg = _at(events, 23, "eanet-working-group-meeting-2025")
    assert (wg.period, wg.status, wg.organizers) == ("June 2025", "planned", ("eanet",))


def test_no_senior_officials_meeting_and_no_plural_series(events):
    assert not [e for e in events[0] if e.kind == "senior-officials-meeting" or "Senior Officials" in e.name]
    assert not [e for e in events[0] if e.name.endswith("s") and e.kind == "conference-of-parties"]


def test_all_keys(events):
    assert {e.key for e in events[0]} == {
        "neacap-policy-dialogue-1", "neacap-policy-dialogue-2", "neacap-spc-6", "neacap-spc-7",
        "air-pollution-symposium-2024", "eanet-working-group-meeting-2025",
        "workshop-on-nature-conservation-and-biodiversity-for-transboundary-cooperation-2024",
        "kei-international-forum-2024", "adb-regional-flyway-initiative-training-series-2024",
        "neampan-workshop-2024", "east-asia-seas-congress-2024",
        "international-forum-on-low-carbon-cities-4", "international-forum-on-low-carbon-cities-5",
        "eastern-economic-forum-2025", "desertification-land-degradation-subregional-forum-2025",
        "unccd-cop-17", "unfccc-cop-29", "strategic-planning-expert-group-meeting-2024",
        "international-youth-conference-on-biodiversity-yokohama-2024",
    }
    assert events[1] == []


GENRE = """Twenty-ninth Senior Officials Meeting (SOM) of NEASPEC

20-21 October 2026

Ulaanbaatar, Mongolia

1. The Twenty-ninth Senior Officials Meeting of NEASPEC was held in Ulaanbaatar, Mongolia, on 20-21 October 2026.

2. The Meeting noted the outcomes of the Third Expert Workshop on Coastal Wetlands held in Qingdao, China, on 3-5 June 2026, organized by the secretariat in cooperation with IUCN. It also took note of the plan to convene the 8th meeting of the NEAMPAN Steering Committee in the second half of 2027, and Japan offered to host the Fourth Expert Workshop on Coastal Wetlands.

3. The representative of Mongolia welcomed the next Expert Workshop on Coastal Wetlands and recalled UNFCCC COP30 and the 30th Senior Officials Meeting in 2027.
"""


def test_genre_other_names_places_and_numbers(curated):
    report = parse_report_text(GENRE, "genre.txt", curated)
    warnings: list = []
    found = {(e.span.paragraph, e.key): e for e in extract_events(report, curated, warnings)}
    assert sorted(found) == [
        (2, "expert-workshop-on-coastal-wetlands-3"), (2, "expert-workshop-on-coastal-wetlands-4"),
        (2, "neampan-steering-committee-8"),
        (3, "expert-workshop-on-coastal-wetlands-4"), (3, "unfccc-cop-30"),
    ]
    third = found[(2, "expert-workshop-on-coastal-wetlands-3")]
    assert (third.start_date, third.end_date, third.place, third.country, third.status) == (
        date(2026, 6, 3), date(2026, 6, 5), "Qingdao", "China", "held")
    assert third.organizers == ("escap-enea", "iucn")
    steering = found[(2, "neampan-steering-committee-8")]
    assert (steering.kind, steering.period, steering.status, steering.programme_area) == (
        "committee-meeting", "second half of 2027", "planned", "marine-protected-areas")
    assert found[(2, "expert-workshop-on-coastal-wetlands-4")].status == "proposed"
    assert found[(3, "expert-workshop-on-coastal-wetlands-4")].ordinal == 4
    assert warnings == []
