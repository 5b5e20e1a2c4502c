"""Reports as published (neaspec_kg/report/sources.py): SOM-27 as a Word file, as tagged and untagged
PDFs made from it by LibreOffice, and as a PDF with an awkward layout, gives the same extraction
records as the text report. The files are made here from the SOM-27 text, once per module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import damaged_forms as damaged
import published_forms as published
from conftest import ROOT, SOM27
from neaspec_kg.report.sources import read_published
from neaspec_kg.report.structure import parse_report

needs_soffice = pytest.mark.skipif(
    published.SOFFICE is None,
    reason="soffice not installed (Debian libreoffice-writer-nogui, installed by scripts/system-deps.sh)")
IGNORED = frozenset({"page-furniture"})  # the text report has no furniture to remove


@pytest.fixture(scope="module")
def clean_records(curated, som27):
    return damaged.records(som27, curated, IGNORED)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("published")


@pytest.fixture(scope="module")
def docx(files) -> Path:
    return published.write_docx(SOM27.read_text(encoding="utf-8"), files / "som27-report.docx")


@pytest.fixture(scope="module")
def untagged_pdf(docx, files) -> Path:
    return published.to_pdf(docx, files / "untagged", tagged=False)


@pytest.fixture(scope="module")
def tagged_pdf(docx, files) -> Path:
    return published.to_pdf(docx, files / "tagged", tagged=True)


@pytest.fixture(scope="module")
def awkward_pdf(files) -> Path:
    return published.write_awkward_pdf(SOM27.read_text(encoding="utf-8"), files / "som27-awkward.pdf")


def _same_records(path: Path, curated, clean_records) -> None:
    report = parse_report(path, curated)
    got = damaged.records(report, curated, IGNORED)
    assert damaged.differences(clean_records, got) == {}
    assert got == clean_records


@needs_soffice
def test_word_file_gives_the_same_records(docx, curated, clean_records, files):
    from docx import Document

    # python-docx alone reads no paragraph numbers: they are Word's automatic numbering.
    texts = [p.text for p in Document(str(docx)).paragraphs]
    assert any(t.startswith("The Twenty-seventh Senior Officials Meeting") for t in texts)
    assert not any(t.startswith("1. The Twenty-seventh") for t in texts)
    _same_records(docx, curated, clean_records)
    # The conversion is cached by the file's digest: a second read does not run LibreOffice.
    cache = files / "cache"
    first = read_published(docx, cache)
    assert len(list(cache.glob("*.pdf"))) == 1 and read_published(docx, cache).text == first.text


@needs_soffice
def test_untagged_pdf_gives_the_same_records(untagged_pdf, curated, clean_records):
    _same_records(untagged_pdf, curated, clean_records)


@needs_soffice
def test_tagged_pdf_gives_the_same_records(tagged_pdf, curated, clean_records):
    _same_records(tagged_pdf, curated, clean_records)


@needs_soffice
def test_running_header_and_page_numbers_are_left_out(untagged_pdf, curated):
    text = read_published(untagged_pdf).text
    assert published.HEADER not in text
    report = parse_report(untagged_pdf, curated)
    numbered = [p for p in report.paragraphs if p.number is not None]
    assert all(p.pages for p in numbered)
    split = [p for p in numbered if len(p.pages) > 1]
    assert split and all(p.pages[1] == p.pages[0] + 1 for p in split)  # rejoined across the break
    assert [p.pages[0] for p in numbered] == sorted(p.pages[0] for p in numbered)


def test_awkward_layout_gives_the_same_records(awkward_pdf, curated, clean_records):
    _same_records(awkward_pdf, curated, clean_records)


def test_footnotes_are_kept_apart(awkward_pdf, curated):
    text = read_published(awkward_pdf)
    assert [note for _, note in text.footnotes] == ["1 " + published.FOOTNOTE]
    report = parse_report(awkward_pdf, curated)
    assert not [p for p in report.paragraphs if published.FOOTNOTE[:30] in p.text]
    assert "presented in Annex I. Recognizing" in report.paragraph(3).text  # the raised mark is gone


def test_heading_at_a_page_foot_and_list_across_a_page_break(awkward_pdf, curated):
    report = parse_report(awkward_pdf, curated)
    heading = next(s for s in report.sections if s.title == "Opening session")
    assert heading.key == "II.B"
    assert report.paragraph(13).pages[0] == report.paragraph(12).pages[-1] + 1
    agenda = next(p for p in report.paragraphs if p.section == "II.D")
    assert len(agenda.pages) == 2 and "3. Adoption of the agenda\n4. Statements" in agenda.text


def test_a_pdf_without_text_is_refused(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(tmp_path / "scan.pdf"))
    canvas.rect(100, 100, 200, 200, fill=1)
    canvas.showPage()
    canvas.save()
    from neaspec_kg.records import ReportError

    with pytest.raises(ReportError, match=r"^scan\.pdf: the PDF has no text layer"):
        read_published(tmp_path / "scan.pdf")


@pytest.mark.slow
def test_the_build_reads_a_published_pdf(awkward_pdf, tmp_path):
    """data/reports/ holding the PDF instead of the text: the build reads it, validates it (pages
    included) and keeps the text it read."""
    from neaspec_kg.build import run_build
    from neaspec_kg.settings import Settings

    root = tmp_path / "repo"
    for part in ("data", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / part, root / part)
    (root / "data" / "reports" / "som27-report.txt").unlink()
    shutil.copy(awkward_pdf, root / "data" / "reports" / "som27-report.pdf")
    result = run_build(Settings(root=root, build_dir=tmp_path / "build"), progress=False, out=lambda _t: None)
    text = (result.folder / "text" / "som27-report.pdf.txt").read_text(encoding="utf-8")
    assert "3. Air Pollution: The Meeting welcomed" in text and published.HEADER not in text
    quads = (result.folder / "dataset.nq").read_text(encoding="utf-8")
    assert '/report/en/para/3> <https://w3id.org/neaspec/ontology#printedOnPage> "1"' in quads
    assert '"som27-report.pdf"' in quads
