"""What the report says about the next session."""

from __future__ import annotations

from pathlib import Path

from neaspec_kg.extract.plans import extract_plans
from neaspec_kg.report import parse_report

GENRE = Path(__file__).resolve().parent / "fixtures" / "genre_som19_report.txt"


def test_som28_plans(som27, curated):
    plans = extract_plans(som27, curated, [])
    assert [(p.span.paragraph, p.session, p.host) for p in plans] == [
        (9, 28, "Mongolia"), (10, 28, "Mongolia"), (63, 28, "Mongolia")]
    conclusions, next_som, venue_item = plans
    assert conclusions.timing == "late September 2025"
    assert conclusions.span.exact.startswith("The Meeting took note of the advice from Mongolia")
    assert next_som.venue == "will be announced in due course"
    assert venue_item.venue == "will be announced in due course"
    # para 63: the venue sentence continues the one naming the Twenty-Eighth Session
    assert venue_item.span.exact.endswith("in consultation with the member States and the secretariat.")


def test_delegations_wishes_are_not_plans(som27, curated):
    # Mongolia's own statement (para 18, "hosting the 28th Senior Officials Meeting in 2025") and
    # its remark on November weather (para 59) are statements, not the Meeting's plan.
    assert not [p for p in extract_plans(som27, curated, []) if p.span.paragraph in (18, 59, 61)]


def test_spans_are_exact(som27, curated):
    for p in extract_plans(som27, curated, []):
        assert som27.paragraph(p.span.paragraph).text[p.span.start:p.span.end] == p.span.exact


def test_genre_other_session_other_words(curated):
    report = parse_report(GENRE, curated)
    (plan,) = extract_plans(report, curated, [])
    assert (plan.session, plan.host, plan.venue, plan.timing) == (20, "Japan", "Tokyo", "early 2016")
    assert plan.span.paragraph == 3
