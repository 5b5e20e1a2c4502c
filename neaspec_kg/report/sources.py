"""Reports as published: a PDF or Word file in, the text the parser reads out, with pages.

The parser reads report *text* (one line per printed paragraph, list items on lines of their own,
a tab where the layout has one). This stage makes that text from what the secretariat publishes:

* ``.txt``: read as it is (UTF-8);
* ``.pdf``: read by page geometry with pdfplumber (characters with positions). Plain text
  extractors put the running header and the page number between the two halves of every paragraph
  split by a page break; here a line at the same height with the same text (digits aside) on more
  than half of the pages, and a lone page number at the top or foot of a page, is page furniture and
  is left out. Paragraphs are the blocks between wider vertical gaps; a block that ends a page without
  a full stop continues on the next. Footnotes (smaller type below the body of a page) are kept apart,
  and their reference marks (superscripts) dropped from the text;
* ``.docx``: Word's automatic paragraph numbers live in its numbering definitions, which
  python-docx drops; headless LibreOffice renders them, so a Word file is turned into a PDF by
  ``soffice --headless --convert-to pdf`` and read as one.

Each line of the text records the pages it comes from, so every paragraph knows where it is printed.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from neaspec_kg.records import ReportError

SUFFIXES = (".txt", ".pdf", ".docx")
_MARKER_RE = re.compile(r"^(?:\d{1,3}\.\s|[-–•]\s|\(?[a-z]\)\s|[A-Z][\w -]{1,30}:\t)")
_PAGE_NUMBER_RE = re.compile(r"^(?:[-–—]\s*)?(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?(?:\s*[-–—])?$", re.IGNORECASE)
_TERMINAL = (".", ":", ";", "?", "!", "”", '"', "’", ")")
SOFFICE_TIMEOUT = 300


@dataclass(frozen=True)
class PublishedText:
    """The text of a published report, as the parser reads it."""

    source: str  # the published file's name
    text: str
    kind: str  # "txt" | "pdf" | "docx"
    line_pages: tuple[tuple[int, ...], ...] = ()  # per line of ``text`` (0-based), the pages it is printed on
    footnotes: tuple[tuple[int, str], ...] = ()  # (page, text) kept apart from the paragraphs
    raw: bytes = b""  # the published file's bytes (their digest identifies the report)


def read_published(path: Path, cache_dir: Path | None = None) -> PublishedText:
    """The text of ``path`` (.txt, .pdf or .docx); a ReportError names the file when it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReportError(path.name, f"cannot read the file ({exc.strerror})") from exc
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _read_pdf_bytes(raw, path.name, "pdf")
    if suffix == ".docx":
        return _read_pdf_bytes(word_to_pdf(raw, path.name, cache_dir), path.name, "docx", raw=raw)
    return PublishedText(path.name, "", "txt", raw=raw)


# --- Word ---------------------------------------------------------------------------------------
def word_to_pdf(raw: bytes, source: str, cache_dir: Path | None = None) -> bytes:
    """LibreOffice's PDF of a Word file; cached by the file's digest (a conversion takes seconds)."""
    digest = hashlib.sha256(raw).hexdigest()
    cached = cache_dir / f"{digest}.pdf" if cache_dir else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ReportError(source, "a Word file needs LibreOffice to render its paragraph numbers: install the "
                                  "Debian package libreoffice-writer-nogui (scripts/system-deps.sh), or publish a PDF")
    with tempfile.TemporaryDirectory(prefix="neaspec-word-") as tmp:
        work = Path(tmp)
        (work / "report.docx").write_bytes(raw)
        try:
            subprocess.run([soffice, f"-env:UserInstallation=file://{work / 'profile'}", "--headless",
                            "--convert-to", "pdf", "--outdir", str(work), str(work / "report.docx")],
                           check=True, capture_output=True, timeout=SOFFICE_TIMEOUT)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise ReportError(source, f"LibreOffice could not convert the Word file ({exc})") from exc
        pdf = (work / "report.pdf").read_bytes()
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(pdf)
    return pdf


# --- PDF -----------------------------------------------------------------------------------------
@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    size: float
    text: str


def _read_pdf_bytes(pdf: bytes, source: str, kind: str, raw: bytes | None = None) -> PublishedText:
    import io

    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            pages = [(page.height, _page_lines(page, number)) for number, page in enumerate(document.pages, start=1)]
    except (PdfminerException, PDFSyntaxError, ValueError) as exc:
        raise ReportError(source, f"not a readable PDF: {exc.__class__.__name__} ({exc}); is the file complete?") from exc
    all_lines = [line for _, lines in pages for line in lines]
    if not all_lines:
        raise ReportError(source, "the PDF has no text layer (a scan?): it needs OCR before it can be read")
    body_size = statistics.median(line.size for line in all_lines)
    furniture = _furniture(pages)
    body, footnotes = [], []
    for height, lines in pages:
        kept = [line for line in lines if id(line) not in furniture]
        large = [line for line in kept if line.size >= 0.9 * body_size]
        last_body = max((line.bottom for line in large), default=0.0)
        for line in kept:
            if line.size < 0.9 * body_size and line.top >= last_body and line.top > height / 2:
                footnotes.append((line.page, line.text))
            elif line.size >= 0.9 * body_size:
                body.append(line)
    text, line_pages = _blocks_to_text(body)
    return PublishedText(source, text, kind, line_pages, tuple(footnotes), raw=raw if raw is not None else pdf)


def _page_lines(page, number: int) -> list[_Line]:  # noqa: ANN001 (a pdfplumber Page)
    """The page's text lines, top to bottom; a tab where the gap between words is wider than 0.6 em
    (wider than the widest space of justified text)."""
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2, extra_attrs=["size"], use_text_flow=True)
    sizes = sorted(w["size"] for w in words)
    body = sizes[len(sizes) // 2] if sizes else 0
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if word["size"] < 0.8 * body and lines and abs(word["bottom"] - lines[-1][0]["bottom"]) > 1 and (
                word["top"] < lines[-1][0]["bottom"]):
            continue  # a superscript (footnote reference) raised inside a body line
        if lines and abs(word["top"] - lines[-1][0]["top"]) <= 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for words_of_line in lines:
        words_of_line.sort(key=lambda w: w["x0"])
        text = words_of_line[0]["text"]
        for before, word in zip(words_of_line, words_of_line[1:]):
            text += ("\t" if word["x0"] - before["x1"] > 0.6 * before["size"] else " ") + word["text"]
        # A paragraph or list number is followed by one space in the text, whether the layout sets a
        # tab after it or (Word's list numbering, "10.Plan") almost nothing.
        text = re.sub(r"^(\d{1,3}\.)(?:\t|(?=[A-Z“\"(]))", "\\1 ", text)
        size = statistics.median(w["size"] for w in words_of_line)
        out.append(_Line(number, words_of_line[0]["top"], max(w["bottom"] for w in words_of_line), size, text))
    return out


def _furniture(pages: list[tuple[float, list[_Line]]]) -> set[int]:
    """Lines that are running headers, footers or page numbers (ids of _Line objects)."""
    seen: dict[tuple[int, str], set[int]] = {}
    for _, lines in pages:
        for line in lines:
            seen.setdefault((round(line.top / 4), re.sub(r"\d+", "#", line.text)), set()).add(line.page)
    half = len(pages) / 2
    out = set()
    for height, lines in pages:
        for line in lines:
            in_margin = line.top < 0.12 * height or line.bottom > 0.88 * height
            repeated = len(pages) > 1 and len(seen[(round(line.top / 4), re.sub(r"\d+", "#", line.text))]) > half
            if in_margin and (repeated or _PAGE_NUMBER_RE.match(line.text.strip())):
                out.add(id(line))
    return out


def _blocks_to_text(lines: list[_Line]) -> tuple[str, tuple[tuple[int, ...], ...]]:
    """One text line per block (paragraph, heading, list item), blank lines between them."""
    pitches = [b.top - a.top for a, b in zip(lines, lines[1:]) if a.page == b.page and b.top > a.top]
    pitch = statistics.median(pitches) if pitches else 0.0
    blocks: list[tuple[list[str], set[int]]] = []
    previous: _Line | None = None
    for line in lines:
        if previous is None or _starts_block(previous, line, pitch, blocks[-1][0][-1]):
            blocks.append(([line.text], {line.page}))
        else:
            parts, pages = blocks[-1]
            parts.append(line.text)
            pages.add(line.page)
        previous = line
    text_lines: list[str] = []
    line_pages: list[tuple[int, ...]] = []
    for parts, pages in blocks:
        text_lines += [_join(parts), ""]
        line_pages += [tuple(sorted(pages)), ()]
    return "\n".join(text_lines), tuple(line_pages)


def _starts_block(previous: _Line, line: _Line, pitch: float, previous_text: str) -> bool:
    if _MARKER_RE.match(line.text):
        return True
    if line.page != previous.page:
        # A block cut by a page break continues on the next page: it ended without a full stop,
        # or the next page goes on in lower case.
        return previous_text.rstrip().endswith(_TERMINAL) and not line.text[:1].islower()
    return line.top - previous.top > 1.3 * pitch


def _join(parts: list[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        # Without automatic hyphenation a line ending in a hyphen breaks a compound ("Project-based").
        glue = "" if re.search(r"\w-$", text) and part[:1].isalnum() else " "
        text += glue + part
    return text


def decode_report_text(raw: bytes, source: str) -> str:
    """A .txt report as text; a file that is not UTF-8 report text is refused (file, line)."""
    if not raw.strip():
        raise ReportError(source, "the file is empty")
    if raw.lstrip().startswith(b"%PDF-"):
        raise ReportError(source, "this is a PDF, not report text: name it .pdf and it is read as a PDF "
                                  "(no need to convert it first)")
    if b"\x00" in raw[:8192]:
        raise ReportError(source, "this is a binary file, not report text (NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReportError(source, f"not UTF-8 text (byte {exc.start}); convert the report to UTF-8", line=line) from exc
    return text
