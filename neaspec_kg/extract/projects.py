"""Projects mentioned in a report: which project, who funds it, which taxa, its status.

Genre phrasing this reads (NEASPEC/ESCAP meeting reports):

* the project by its curated title or alias (data/curated/projects.csv), often quoted,
  with the species it covers in a parenthesis after the title:
  ``"Connectivity Conservation ... (Black-faced Spoonbills, White-naped Cranes, ...)"``;
* funders in the same sentence: ``... funded by the Russian Federation``,
  ``the Russian Federation is funding the "..." project``,
  ``the financial contribution from the Russian Federation to the ... project``;
* status cues: ``newly approved project``, ``the approval of the new project``.

A count such as "focusing on three specific species" names no taxon, so it adds none:
taxa come only from names in curated/taxa.csv.
"""

from __future__ import annotations

import re

from neaspec_kg.curated import Curated, Mention
from neaspec_kg.extract.sentences import sentence_bounds
from neaspec_kg.records import DataQualityWarning, Paragraph, ProjectMention, Report, SourceSpan

# Sentence ends; the report's quotes may close a sentence ('..." project.').

# Funder cues, relative to a State/organization mention in the project's sentence.
_FUNDED_BY_BEFORE_RE = re.compile(r"\b(?:funded|financed|sponsored|supported)\s+by\s+(?:the\s+)?$")
_CONTRIBUTION_FROM_BEFORE_RE = re.compile(r"\b(?:contributions?|funding|support)\s+from\s+(?:the\s+)?$")
_IS_FUNDING_AFTER_RE = re.compile(r"^\s+(?:is|are|was|were|has\s+been|have\s+been|will\s+be)\s+(?:funding|financing)\b")

# Status cues, most specific first; value is the status recorded.
_STATUS_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bnewly\s+approved\b", re.IGNORECASE), "newly approved"),
    (re.compile(r"\bapproval\s+of\s+the\s+(?:new\s+)?project\b", re.IGNORECASE), "approved"),
    (re.compile(r"\bapproved\s+(?:the\s+)?(?:new\s+)?project\b", re.IGNORECASE), "approved"),
)

# The parenthesis right after a title lists the species it covers; a closing quote may follow.
_PARENTHESIS_RE = re.compile(r"^\s*\(([^()]*)\)")

# A quoted project title that no curated alias knows: worth a warning, not a guess.
_QUOTED_PROJECT_RE = re.compile(r"\bproject\s+(?:on|entitled|titled|called)\s+[“\"]([^”\"]{8,200})[”\"]")


def extract_projects(report: Report, curated: Curated, warnings: list[DataQualityWarning]) -> tuple[ProjectMention, ...]:
    """One ProjectMention per paragraph and project, with funders, taxa and status read there."""
    found: list[ProjectMention] = []
    for paragraph in report.paragraphs:
        if paragraph.number is None:
            continue
        found.extend(_paragraph_projects(paragraph, curated))
        _warn_unknown_projects(report, paragraph, curated, warnings)
    return tuple(found)


def _paragraph_projects(paragraph: Paragraph, curated: Curated) -> list[ProjectMention]:
    text = paragraph.text
    by_project: dict[str, list[Mention]] = {}
    for mention in curated.project_matcher.find(text):
        by_project.setdefault(mention.key, []).append(mention)
    records = []
    for project, mentions in by_project.items():
        funders: list[str] = []
        taxa: list[str] = []
        status: str | None = None
        for mention in mentions:
            sentence_start, sentence_end = sentence_bounds(text, mention.start)
            funders += _funders(text[sentence_start:sentence_end], curated)
            taxa += _taxa(text[mention.end:sentence_end], curated)
            status = status or _status(text[sentence_start:sentence_end])
        first = mentions[0]
        end = first.end + _parenthesis_length(text[first.end:])
        span = SourceSpan(paragraph.section, paragraph.number, first.start, end, text[first.start:end],
                          paragraph.occurrence)
        records.append(ProjectMention(project=project, span=span, funders=tuple(dict.fromkeys(funders)),
                                      taxa=tuple(dict.fromkeys(taxa)), status=status))
    return records


def _funders(sentence: str, curated: Curated) -> list[str]:
    """States or organizations the sentence says fund the project."""
    agents = curated.country_matcher.find(sentence) + curated.organization_matcher.find(sentence)
    funders = []
    for agent in sorted(agents, key=lambda m: m.start):
        before, after = sentence[: agent.start], sentence[agent.end:]
        if (_FUNDED_BY_BEFORE_RE.search(before) or _CONTRIBUTION_FROM_BEFORE_RE.search(before)
                or _IS_FUNDING_AFTER_RE.match(after)):
            funders.append(agent.key)
    return funders


def _taxa(after_title: str, curated: Curated) -> list[str]:
    """Taxa named in the parenthesis that follows a project title."""
    m = _PARENTHESIS_RE.match(after_title)
    return curated.taxon_matcher.keys_in(m.group(1)) if m else []


def _parenthesis_length(after_title: str) -> int:
    m = _PARENTHESIS_RE.match(after_title)
    return m.end() if m else 0


def _status(sentence: str) -> str | None:
    for pattern, status in _STATUS_CUES:
        if pattern.search(sentence):
            return status
    return None


def _warn_unknown_projects(report: Report, paragraph: Paragraph, curated: Curated,
                           warnings: list[DataQualityWarning]) -> None:
    for m in _QUOTED_PROJECT_RE.finditer(paragraph.text):
        if not curated.project_matcher.find(m.group(1)):
            warnings.append(DataQualityWarning(
                report.source, "unknown-project",
                f"project {m.group(1)!r} is not in data/curated/projects.csv: add it (with a source) to link it",
                paragraph=paragraph.number))
