"""Commitments on the real SOM-27 report, and the genre rules on a synthetic report."""

from __future__ import annotations

from decimal import Decimal

import pytest

from neaspec_kg.extract.commitments import extract_commitments
from neaspec_kg.report import parse_report_text


@pytest.fixture(scope="module")
def extracted(som27, curated):
    warnings: list = []
    return extract_commitments(som27, curated, warnings), warnings


def _facts(commitments, actor):
    """(kind, measure, value, unit, target_year, reference_year) of one State's commitments."""
    return {(c.kind, c.measure, c.quantity.value if c.quantity else None, c.quantity.unit if c.quantity else None,
             c.target_year, c.reference_year) for c in commitments if c.actor == actor}


def test_spans_are_exact_and_descriptions_are_the_clause(som27, extracted):
    for c in extracted[0]:
        text = som27.paragraph(c.span.paragraph).text
        assert text[c.span.start:c.span.end] == c.span.exact == c.description


def test_republic_of_korea_2030_target_and_pledges(extracted):
    korea = [c for c in extracted[0] if c.actor == "Republic of Korea"]
    assert _facts(korea, "Republic of Korea") == {
        ("target", "ghg-emissions", Decimal(40), "percent", 2030, None),
        ("pledge", "climate-finance", Decimal(300_000_000), "usd", None, None),
        ("pledge", "climate-finance", Decimal(7_000_000), "usd", None, None),
    }
    pledges = {c.quantity.text: c.recipient for c in korea if c.kind == "pledge"}
    assert pledges == {"$300 million": "Green Climate Fund", "$7 million": "Loss and Damage Fund"}


def test_japan_net_zero_2050_and_46_percent_by_2030(extracted):
    facts = _facts(extracted[0], "Japan")
    assert ("target", "ghg-emissions", None, None, 2050, None) in facts
    assert ("target", "ghg-emissions", Decimal(46), "percent", 2030, None) in facts
    # "SDGs Action Plan 2022" is a name, not a target year.
    assert all(c.target_year != 2022 for c in extracted[0])


def test_china_pm25_target_and_since_2019_is_no_target(extracted):
    facts = _facts(extracted[0], "China")
    assert ("target", "pm25-concentration", Decimal(10), "percent", 2025, None) in facts
    assert all(c.target_year != 2019 and c.baseline_year != 2019 for c in extracted[0])


def test_mongolia_net_zero_and_protected_territories(extracted):
    facts = _facts(extracted[0], "Mongolia")
    assert facts == {
        ("target", "ghg-emissions", None, None, 2050, None),
        ("target", "protected-area", Decimal(30), "percent", 2030, None),
    }


def test_russian_federation_achievements(extracted):
    assert _facts(extracted[0], "Russian Federation") == {
        ("achieved", "air-pollution-level", Decimal("13.3"), "percent", None, 2023),
        ("achieved", "protected-area", Decimal(5_400_000), "hectare", None, None),
        ("achieved", "forest-restoration", Decimal(6_300_000), "hectare", None, None),
    }


def test_seventy_percent_of_emissions_is_a_fact_not_a_commitment(extracted):
    # Para 40: cities "account for about 70% of global greenhouse gas emissions".
    assert all(c.quantity is None or c.quantity.value != 70 for c in extracted[0])


def test_ordinals_count_within_the_paragraph(extracted):
    para19 = [c.ordinal for c in extracted[0] if c.span.paragraph == 19]
    assert para19 == [1, 2, 3]


def test_no_warnings_on_som27(extracted):
    assert extracted[1] == []


GENRE = """Thirtieth Senior Officials Meeting (SOM) of NEASPEC

5-6 October 2026

Ulaanbaatar, Mongolia

1. The Thirtieth Senior Officials Meeting of NEASPEC was held in Ulaanbaatar, Mongolia, on 5-6 October 2026.

2. The delegate from the Democratic People's Republic of Korea stated that the Government aims to raise the share of renewable energy to 25% by 2035, compared to 2020 levels, and has pledged USD 2.5 million to the Green Climate Fund. The country reduced PM2.5 concentrations by 15% by 2025.

3. The Meeting noted that Japan has restored 12,500 hectares of forest since 2015. The representative of China presented the Clean Air Action Plan 2027 and the results achieved since 2019.

4. The Meeting noted that the subregion aims to cut sulphur dioxide emissions by 20% by 2030.
"""


@pytest.fixture(scope="module")
def genre(curated):
    report = parse_report_text(GENRE, "genre.txt", curated)
    warnings: list = []
    return extract_commitments(report, curated, warnings), warnings


def test_genre_target_with_baseline_and_pledge(genre):
    dprk = [c for c in genre[0] if c.actor == "Democratic People's Republic of Korea"]
    by_kind = {c.kind: c for c in dprk}
    target = by_kind["target"]
    assert (target.measure, target.quantity.value, target.target_year, target.baseline_year) == (
        "renewable-energy", Decimal(25), 2035, 2020)
    pledge = by_kind["pledge"]
    assert (pledge.quantity.value, pledge.quantity.unit, pledge.recipient) == (
        Decimal(2_500_000), "usd", "Green Climate Fund")


def test_genre_past_deadline_is_an_achievement(genre):
    # The meeting is in 2026: "by 2025" reports a result, not a target.
    (achieved,) = [c for c in genre[0] if c.measure == "pm25-concentration"]
    assert (achieved.kind, achieved.reference_year, achieved.target_year) == ("achieved", 2025, None)
    assert achieved.actor == "Democratic People's Republic of Korea"


def test_genre_subject_state_without_speaker(genre):
    (forest,) = [c for c in genre[0] if c.span.paragraph == 3]
    assert (forest.actor, forest.kind, forest.measure) == ("Japan", "achieved", "forest-restoration")
    assert (forest.quantity.value, forest.quantity.unit, forest.baseline_year) == (Decimal(12_500), "hectare", 2015)


def test_genre_unattributed_dated_target_is_warned_not_guessed(genre):
    assert not [c for c in genre[0] if c.span.paragraph == 4]
    assert [(w.code, w.paragraph) for w in genre[1]] == [("commitment-unresolved", 4)]
    assert "no State and no measure" in genre[1][0].message
