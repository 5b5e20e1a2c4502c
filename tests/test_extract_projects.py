"""Project mentions on the real SOM-27 report, and the genre rules on a synthetic report."""

from __future__ import annotations

import pytest

from neaspec_kg.extract.projects import extract_projects
from neaspec_kg.report import parse_report_text

PROJECT = "migratory-birds-connectivity"


@pytest.fixture(scope="module")
def mentions(som27, curated):
    warnings: list = []
    found = extract_projects(som27, curated, warnings)
    return {m.span.paragraph: m for m in found}, warnings


def test_every_span_is_exact(som27, mentions):
    for m in mentions[0].values():
        assert som27.paragraph(m.span.paragraph).text[m.span.start:m.span.end] == m.span.exact


def test_paragraphs_that_mention_the_project(mentions):
    assert sorted(mentions[0]) == [4, 20, 29, 30, 34, 49]
    assert {m.project for m in mentions[0].values()} == {PROJECT}


def test_title_parenthesis_gives_the_species_and_funder(mentions):
    m = mentions[0][4]
    assert m.taxa == ("platalea-minor", "antigone-vipio", "grus-monacha")
    assert m.funders == ("Russian Federation",)
    assert m.status == "approved"
    assert m.span.exact.endswith("and Hooded Cranes)")


def test_is_funding_names_the_funder_but_three_species_invents_no_taxon(mentions):
    m = mentions[0][20]
    assert m.funders == ("Russian Federation",)
    assert m.taxa == ()


def test_contribution_from_names_the_funder(mentions):
    assert mentions[0][34].funders == ("Russian Federation",)
    assert mentions[0][34].span.exact == "new migratory birds' project"


def test_newly_approved_status(mentions):
    m = mentions[0][30]
    assert m.status == "newly approved"
    # Paragraph 30 names the Russian Federation as committed, not as funding: no funder.
    assert m.funders == ()


def test_no_warnings_on_som27(mentions):
    assert mentions[1] == []


GENRE = """Twenty-ninth Senior Officials Meeting (SOM) of NEASPEC

3-4 November 2026

Tokyo, Japan

1. The Twenty-ninth Senior Officials Meeting of NEASPEC was held in Tokyo, Japan, on 3-4 November 2026.

2. The Meeting noted that Japan is funding the Connectivity Conservation for Habitats of Flagship Migratory Birds project, and welcomed the approval of the new project on "Connectivity Conservation for Habitats of Flagship Migratory Birds in North-East Asia (Hooded Cranes and Amur tigers)" financed by the Republic of Korea.

3. The delegates welcomed the new project on "Restoring Steppe Wetlands of the Amur Basin" funded by Mongolia.
"""


def test_genre_other_funders_other_species_and_unknown_project(curated):
    report = parse_report_text(GENRE, "genre.txt", curated)
    warnings: list = []
    (m,) = extract_projects(report, curated, warnings)
    assert m.span.paragraph == 2
    assert m.funders == ("Japan", "Republic of Korea")
    assert m.taxa == ("grus-monacha", "panthera-tigris-altaica")
    assert m.status == "approved"
    assert [(w.code, w.paragraph) for w in warnings] == [("unknown-project", 3)]
