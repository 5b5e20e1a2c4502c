"""Published forms of a report text, made by the tests: a Word file as the secretariat writes it
(python-docx: running header, PAGE field in the footer, bold run-in labels, paragraph numbers
as Word's automatic numbering), PDFs from it by headless LibreOffice (tagged and untagged), and
PDFs with awkward layouts (reportlab: footnotes, a heading at a page foot, a list across a page
break)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

HEADER = "ESCAP/NEASPEC/SOM(27)/REPORT"
SOFFICE = shutil.which("soffice")
TAGGED = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'


def source_lines(text: str) -> list[str]:
    """The report's lines as a writer would type them: page-break splits of the text rejoined
    (a line after a blank line that starts in lower case continues the line before)."""
    out: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.count("**") % 2:  # bold across lines (the title block): each line bold on its own
            stripped = "**" + stripped.replace("**", "") + "**"
        if not stripped:
            continue
        if out and stripped[:1].islower():
            out[-1] = out[-1] + " " + stripped
        else:
            out.append(stripped)
    return out


def _runs(line: str) -> list[tuple[str, bool, bool]]:
    """``**bold**`` and ``*italic*`` marks of the text as (text, bold, italic) runs; escapes dropped."""
    line = re.sub(r"\\([$_#\[\]])", r"\1", line)
    runs = []
    for part in re.split(r"(\*\*[^*]+\*\*|\*[^*]+\*)", line):
        if part.startswith("**"):
            runs.append((part[2:-2], True, False))
        elif part.startswith("*") and len(part) > 1:
            runs.append((part[1:-1], False, True))
        elif part:
            runs.append((part, False, False))
    return runs


def write_docx(text: str, path: Path, *, automatic_numbers: bool = True) -> Path:
    """The report as a Word file: one Word paragraph per line of the text; numbered paragraphs as
    Word's automatic numbering ('List Number') when ``automatic_numbers``, else typed ``N.<tab>``."""
    from docx import Document
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Liberation Serif"
    doc.styles["Normal"].font.size = Pt(11)
    doc.styles["Normal"].paragraph_format.space_after = Pt(8)
    section = doc.sections[0]
    section.header.paragraphs[0].text = HEADER
    footer = section.footer.paragraphs[0]
    run = footer.add_run()
    for kind, value in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.text = value
        run._r.append(element)
    for line in source_lines(text):
        numbered = re.match(r"^(\d{1,3})\. (.*)$", line)
        in_body = not doc.paragraphs or any(p.style.name == "List Number" for p in doc.paragraphs) or (
            numbered and numbered.group(1) == "1")
        if numbered and automatic_numbers and in_body and _is_paragraph_number(numbered, doc):
            paragraph = doc.add_paragraph(style="List Number")
            line = numbered.group(2)
        else:
            paragraph = doc.add_paragraph()
            if numbered:
                line = f"{numbered.group(1)}.\t{numbered.group(2)}"
        # Officer lines ("Chair:<tab>Mr. ...") align the names at a tab stop well to the right.
        tab = Pt(36) if numbered else Pt(110)
        paragraph.paragraph_format.tab_stops.add_tab_stop(tab, WD_TAB_ALIGNMENT.LEFT)
        for i, part in enumerate(line.split("\t")):
            if i:
                paragraph.add_run("\t")
            for chunk, bold, italic in _runs(part):
                r = paragraph.add_run(chunk)
                r.bold, r.italic = bold, italic
    doc.save(str(path))
    return path


def _is_paragraph_number(numbered: re.Match[str], doc) -> bool:
    """A report paragraph (continuing the automatic sequence), not an item of the agenda list."""
    count = sum(1 for p in doc.paragraphs if p.style.name == "List Number")
    return int(numbered.group(1)) == count + 1


def to_pdf(docx: Path, out_dir: Path, *, tagged: bool) -> Path:
    """Headless LibreOffice's PDF of a Word file (about 5 s for SOM-27)."""
    if SOFFICE is None:
        raise RuntimeError("soffice (Debian libreoffice-writer-nogui) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    TAGGED if tagged else "pdf", "--outdir", str(out_dir), str(docx)],
                   check=True, capture_output=True, timeout=180)
    return out_dir / (docx.stem + ".pdf")


# --- reportlab: exact, deliberately awkward layouts ------------------------------------------------
FOOTNOTE = "The Executive Summary is published as an annex of this report."


def write_awkward_pdf(text: str, path: Path, *, heading_at_foot: str = "B. Opening session",
                      break_list_after: str = "3. Adoption of the agenda", footnote_after: str = "presented in Annex I.") -> Path:
    """The report laid out by hand: running header and page number on every page, a footnote
    (reference mark raised in the body, note in small type at the foot), the heading
    ``heading_at_foot`` as the last line of its page, and the agenda list broken across two pages
    after ``break_list_after``."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    width, height = A4
    left, top, bottom, size, leading = 72, height - 72, 90, 11, 14
    canvas = Canvas(str(path), pagesize=A4)
    state = {"y": top, "page": 1, "footnote": None}

    def new_page() -> None:
        if state["footnote"]:
            canvas.setFont("Times-Roman", 8)
            canvas.drawString(left, bottom - 8, state["footnote"])
            state["footnote"] = None
        canvas.setFont("Times-Roman", 9)
        canvas.drawString(left, height - 40, HEADER)
        canvas.drawCentredString(width / 2, 40, str(state["page"]))
        canvas.showPage()
        state["y"], state["page"] = top, state["page"] + 1

    def wrap(words: list[str], indent: float) -> list[str]:
        lines, current = [], ""
        for word in words:
            trial = f"{current} {word}".strip()
            if stringWidth(trial, "Times-Roman", size) > width - 2 * left - indent and current:
                lines.append(current)
                current = word
            else:
                current = trial
        return lines + [current]

    for raw in source_lines(text):
        line = re.sub(r"\*{1,2}", "", re.sub(r"\\([$_#\[\]])", r"\1", raw))
        numbered = re.match(r"^(\d{1,3})\. (.*)$", line)
        label, _, rest = line.partition("\t")
        indent = 36 if numbered else 0
        body = numbered.group(2) if numbered else line
        if rest:
            body, indent = rest, 108
        for i, piece in enumerate(wrap(body.split(" "), indent)):
            if state["y"] < bottom + 10:
                new_page()
            canvas.setFont("Times-Roman", size)
            if i == 0 and numbered:
                canvas.drawString(left, state["y"], numbered.group(1) + ".")
            if i == 0 and rest:
                canvas.drawString(left, state["y"], label)
            canvas.drawString(left + indent, state["y"], piece)
            if footnote_after and footnote_after in piece:
                x = left + indent + stringWidth(piece[: piece.index(footnote_after) + len(footnote_after)],
                                                "Times-Roman", size)
                canvas.setFont("Times-Roman", 7)
                canvas.drawString(x + 1, state["y"] + 4, "1")
                state["footnote"], footnote_after = "1 " + FOOTNOTE, ""
            state["y"] -= leading
        state["y"] -= 8
        if line in (heading_at_foot, break_list_after):
            new_page()
    new_page()
    canvas.save()
    return path
