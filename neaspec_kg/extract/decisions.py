"""Decisions of the Meeting (the documents it acted on or cited: extract/documents.py).

The genre states a decision as a sentence whose subject is the body ("The Meeting",
"The SOM", "the senior officials", "the delegates", or "It" continuing one of these)
followed by a decision verb from data/curated/decision-verbs.csv, often after a leading
participial clause ("Recognizing the need ..., the senior officials requested ...").
One sentence can carry several coordinated decisions ("... acknowledged efforts ... and
took note of the interests ..."): each is its own Decision, numbered in text order within
the paragraph. Requests are also printed in the passive ("The secretariat was requested
to ..."): the Meeting is then the implied actor and the subject the addressee.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from neaspec_kg.curated import Curated
from neaspec_kg.extract.sentences import (
    Sentence,
    name_at,
    planned_session_in,
    som_session,
    source_span,
    split_sentences,
)
from neaspec_kg.extract.documents import Found, documents_in, programme_area_of, section_title
from neaspec_kg.records import DataQualityWarning, Decision, Paragraph, Report
from neaspec_kg.report.front import MONTH, decision_subjects, parse_date

_ADVERBS = r"(?:(?:also|further|then|therefore|again|\w+ly)\s+)*"
# The body as subject, at the start of a sentence or after a leading clause's comma: "the Meeting" and
# "the delegates" in every series, and the series' own names for its body (data/curated/series.csv
# "subjects": "the SOM", "the senior officials", "the Commission", "the Committee", "the Council").
_GENERIC_SUBJECTS = ("Meeting", "delegates", "participants")
# The secretariat stating what it will do: "The secretariat will revise ... and circulate ...".
_AGENT_ACTION = (r"(?:^|,\s+)(?P<agent>(?:[Tt]he\s+)?(?:[A-Z]+\s+)?[Ss]ecretariat)\s+(?:will|would|shall|is\s+to"
                 r"|undertook\s+to|agreed\s+to|committed\s+to)\s+" + _ADVERBS + r"(?P<action>[a-z]+)\b")
# A further action of the same agent: ", and circulate to ...", " and inform the ...".
_NEXT_ACTION = re.compile(r"(?:,\s*|\s+)and\s+" + _ADVERBS
                          + r"(?P<action>[a-z]+)\s+(?=(?:to|the|it|them|its|their|a|an|on|with|in|all)\b)")
# "adopted the Conclusions ... on 13 December 2024": a date closing the object dates the decision
# ("the status of the Fund as of 30 September 2024" dates the status, not the decision).
_STATED_DATE_RE = re.compile(rf"\bon\s+(\d{{1,2}})\s+{MONTH},?\s+(\d{{4}})$")
# Passive requests: the addressee is the grammatical subject.
_PASSIVE = r"(?:^|,\s+)(?P<addressee>(?:[Tt]he\s+)?(?:secretariat|[Mm]ember\s+States))\s+(?:was|were)\s+"
# Where a coordinated predicate starts: ", and took note of", " and subsequently approved the".
_COORDINATION = r"(?:,\s*)?\s+and\s+" + _ADVERBS
_OTHER_VERB = r"[a-z]+ed\s+(?:the|its|their|his|her|to|that|on|of|a|an|for|with)\b"
_ADDRESSEE_RE = re.compile(r"(?:(?:its|their|deep|sincere)\s+)*(?:appreciation\s+|gratitude\s+|thanks\s+)?"
                           r"(?:to\s+)?(?:the\s+)?(?:Government\s+of\s+(?:the\s+)?)?")

# --- decisions ---------------------------------------------------------------------------
def extract_decisions(report: Report, curated: Curated,
                      warnings: list[DataQualityWarning]) -> tuple[Decision, ...]:
    decisions: list[Decision] = []
    for paragraph in _numbered(report):
        decisions.extend(_paragraph_decisions(report, curated, paragraph, warnings))
    return tuple(decisions)


def _numbered(report: Report) -> list[Paragraph]:
    return [p for p in report.paragraphs if p.number is not None]


def _paragraph_decisions(report: Report, curated: Curated, paragraph: Paragraph,
                         warnings: list[DataQualityWarning]) -> list[Decision]:
    documents = documents_in(report, curated, paragraph, None)  # extract_documents reports their warnings
    area = programme_area_of(report, curated, paragraph)
    section_kind = _section_kind(report, paragraph)
    found: list[Decision] = []
    previous_actor: str | None = None
    subjects = decision_subjects(curated, report.front.series)
    for sentence in split_sentences(paragraph):
        clauses = decision_clauses(sentence, curated, subjects)
        if not clauses:
            _warn_unknown_verb(report, paragraph, sentence.text, subjects, warnings)
        for clause in clauses:
            actor = clause.actor if clause.actor != "It" else previous_actor
            if actor is None:
                continue  # "It ..." with nothing before it to refer to
            previous_actor = actor
            found.append(Decision(
                ordinal=len(found) + 1, verb=clause.verb, actor=actor, object_text=clause.object_text,
                span=source_span(paragraph, clause.start, clause.end), programme_area=area,
                agenda_item=paragraph.agenda_item, addressee=clause.addressee or _addressee(clause.object_text, curated),
                documents=_acted_on(clause, documents),
                projects=tuple(curated.project_matcher.keys_in(clause.object_text)),
                planned_session=_planned_session(report, clause.object_text),
                section_kind=section_kind, object_span=source_span(paragraph, clause.object_start, clause.end),
                date=_stated_date(clause.object_text)))
    return found


def _stated_date(object_text: str) -> date | None:
    m = _STATED_DATE_RE.search(object_text)
    return parse_date(*m.groups()) if m else None


def _planned_session(report: Report, object_text: str) -> int | None:
    """A later SOM the decision plans; only a SOM's report numbers the SOM's next session."""
    session = som_session(report)
    return planned_session_in(object_text, session) if session is not None else None


# Where the object proper ends and its qualifications begin: "approved X, with an adjusted
# timeline for the publication of the full report" approves X, not the full report.
# A comma must introduce it: "to work with member countries to finalize the full report" is
# about the full report.
_QUALIFIER_RE = re.compile(r",\s+(?:with|before|following|in\s+time\s+for|in\s+line\s+with|as\s+it\s+will)\b")


def _warn_unknown_verb(report: Report, paragraph: Paragraph, sentence: str, subjects: tuple[str, ...],
                       warnings: list[DataQualityWarning]) -> None:
    """Say so rather than drop a decision whose verb data/curated/decision-verbs.csv does not know
    ("The Meeting supported ...", "The Commission reaffirmed ...": the body with a past-tense verb)."""
    m = _body_acts(subjects).match(sentence.strip())
    if m is None:
        return
    warnings.append(DataQualityWarning(
        report.source, "unknown-decision-verb",
        f"'{' '.join(sentence.split()[:8])} ...': the verb '{m.group('verb')}' is not in "
        "data/curated/decision-verbs.csv; no decision was recorded (add the form, with a source, if it records one)",
        paragraph=paragraph.number))


def _acted_on(clause: Clause, documents: list[Found]) -> tuple[str, ...]:
    """Documents named in the object proper; "approved the plan" refers back to the plan named before it."""
    qualifier = _QUALIFIER_RE.search(clause.object_text)
    object_end = clause.object_start + qualifier.start() if qualifier else clause.end
    named = [d.key for d in documents if clause.object_start <= d.start and d.end <= object_end]
    # "the plan" alone refers back; "the plan for the Second Policy Dialogue" is another plan.
    if not named and re.match(r"(?:the|this|that)\s+(?:revised\s+)?plan\b(?!\s+(?:for|to|of|on)\b)", clause.object_text):
        earlier = [d for d in documents if d.end <= clause.object_start and d.kind == "project-plan"]
        named = [earlier[-1].key] if earlier else []
    return tuple(dict.fromkeys(named))


@dataclass(frozen=True)
class Clause:
    """One decision verb with its object, offsets into Paragraph.text."""

    actor: str  # as printed, article dropped; "It" until resolved
    verb: str  # key of decision-verbs.csv
    object_text: str
    start: int  # where the span starts (the sentence for the first verb, the verb for later ones)
    object_start: int
    end: int
    addressee: str | None = None


def decision_clauses(sentence: Sentence, curated: Curated, subjects: tuple[str, ...] = ()) -> list[Clause]:
    """The decisions stated in one sentence, in text order; ``subjects``: the series' names for its body."""
    patterns = _patterns(_forms_key(curated), subjects)
    clauses: list[Clause] = []
    found = sorted([*patterns.active.finditer(sentence.text), *patterns.passive.finditer(sentence.text),
                    *patterns.action.finditer(sentence.text)], key=lambda m: m.start())
    for i, subject in enumerate(found):
        limit = found[i + 1].start() if i + 1 < len(found) else len(sentence.text)
        if subject.groupdict().get("agent") is not None:
            clauses.extend(_action_clauses(sentence, subject, limit, first=not clauses))
        else:
            clauses.extend(_predicate_clauses(sentence, subject, limit, patterns, curated, first=not clauses))
    return clauses


def is_decision_sentence(sentence: Sentence, curated: Curated, subjects: tuple[str, ...] = ()) -> bool:
    return bool(decision_clauses(sentence, curated, subjects))


def _action_clauses(sentence: Sentence, subject: re.Match[str], limit: int, *, first: bool) -> list[Clause]:
    """"The secretariat will revise X, ..., and circulate Y": one action per verb, the secretariat as agent."""
    text = sentence.text
    starts = [(subject.start("action"), subject.start("action"))]
    for m in _NEXT_ACTION.finditer(text, subject.end(), limit):
        starts.append((m.start(), m.start("action")))
    clauses = []
    for j, (_, verb_start) in enumerate(starts):
        end = starts[j + 1][0] if j + 1 < len(starts) else limit
        while end > verb_start and text[end - 1] in " .,;:":
            end -= 1
        start = (0 if first else subject.start("agent")) if j == 0 else verb_start
        clauses.append(Clause(actor="secretariat", verb="undertook", object_text=text[verb_start:end],
                              start=sentence.start + start, object_start=sentence.start + verb_start,
                              end=sentence.start + end))
    return clauses


def _predicate_clauses(sentence: Sentence, subject: re.Match[str], limit: int, patterns: _Patterns,
                       curated: Curated, *, first: bool) -> list[Clause]:
    text = sentence.text
    groups = subject.groupdict()
    passive = groups.get("addressee") is not None
    actor = "Meeting" if passive else _strip_article(groups["actor"])  # passive: the body is implied
    addressee = _normalize_addressee(groups["addressee"]) if passive else None
    # (where the predicate's coordination starts, verb start, verb end, form as printed)
    verbs = [(subject.start("verb"), subject.start("verb"), subject.end("verb"), subject.group("verb"))]
    for m in patterns.coordinated.finditer(text, subject.end(), limit):
        verbs.append((m.start(), m.start("form"), m.end("form"), m.group("form")))
    clauses = []
    for j, (_, v_start, v_end, form) in enumerate(verbs):
        next_start = verbs[j + 1][0] if j + 1 < len(verbs) else limit
        object_end = _object_end(text, v_end, next_start, patterns)
        start = subject.start("actor" if not passive else "addressee") if j == 0 else v_start
        if j == 0 and first:
            start = 0  # the first decision keeps its leading clause ("Recognizing ..., the Meeting ...")
        object_start = v_end + len(text[v_end:object_end]) - len(text[v_end:object_end].lstrip())
        clauses.append(Clause(actor=actor, verb=patterns.form_keys[form], object_text=text[object_start:object_end],
                              start=sentence.start + start, object_start=sentence.start + object_start,
                              end=sentence.start + object_end, addressee=addressee))
    return clauses


def _object_end(text: str, start: int, limit: int, patterns: _Patterns) -> int:
    """End of a verb's object: before the next coordinated predicate, without final punctuation."""
    m = patterns.cut.search(text, start, limit)
    end = m.start() if m else limit
    while end > start and text[end - 1] in " .,;:":
        end -= 1
    return end


def _strip_article(actor: str) -> str:
    return re.sub(r"^[Tt]he\s+", "", actor)


def _normalize_addressee(printed: str) -> str:
    return "secretariat" if "secretariat" in printed.lower() else "member States"


def _addressee(object_text: str, curated: Curated) -> str | None:
    """Whom a decision addresses: "requested the secretariat to", "appreciation to the Government of X"."""
    lead = _ADDRESSEE_RE.match(object_text)
    rest = object_text[lead.end():] if lead else object_text
    if re.match(r"secretariat\b", rest):
        return "secretariat"
    if re.match(r"[Mm]ember\s+States\b", rest):
        return "member States"
    named = name_at(rest[:120], curated)
    if named is None:
        return None
    # Only a name that receives the decision, not one inside the object ("the contribution of NEASPEC").
    after = rest[named[2]:]
    return named[1] if re.match(r"\s*(?:to|for|and|,)\b", after) or not after.strip() else None


def _actor_pattern(subjects: tuple[str, ...]) -> str:
    names = sorted({*_GENERIC_SUBJECTS, *subjects}, key=len, reverse=True)
    # A capitalised name also matches in lower case after "the" ("the Committee", "the senior officials").
    alternation = "|".join(rf"(?:[Ss]enior\s+[Oo]fficials\s+)?{_either_case(n)}" if n == "Meeting" else _either_case(n)
                           for n in names)
    return rf"(?:^|,\s+)(?P<actor>(?:[Tt]he\s+)?(?:{alternation})|^It)\s+"


def _either_case(name: str) -> str:
    """"Meeting" -> "[Mm]eeting"; acronyms ("SOM", "SPC") only as printed."""
    words = [re.escape(w) for w in name.split()]
    if not name.isupper():
        words = [f"[{w[0].upper()}{w[0].lower()}]{w[1:]}" if w[:1].isalpha() else w for w in words]
    return r"\s+".join(words)


@lru_cache(maxsize=16)
def _body_acts(subjects: tuple[str, ...]) -> re.Pattern[str]:
    subject = _actor_pattern(subjects).removeprefix("(?:^|,\\s+)").replace("|^It)", ")")
    return re.compile(subject + r"(?:also\s+|further\s+)?(?P<verb>[a-z]+ed)\b")


@dataclass(frozen=True)
class _Patterns:
    active: re.Pattern[str]
    passive: re.Pattern[str]
    action: re.Pattern[str]
    coordinated: re.Pattern[str]
    cut: re.Pattern[str]
    form_keys: dict[str, str]


def _forms_key(curated: Curated) -> tuple[tuple[str, str], ...]:
    pairs = []
    for row in curated.rows("decision_verbs"):
        for form in row["forms"].split(";"):
            if form.strip():
                pairs.append((form.strip(), row["key"]))
    return tuple(pairs)


@lru_cache(maxsize=16)
def _patterns(forms: tuple[tuple[str, str], ...], subjects: tuple[str, ...] = ()) -> _Patterns:
    form_keys = dict(forms)
    alternation = "|".join(re.escape(f) for f in sorted(form_keys, key=len, reverse=True))
    verb = rf"(?P<verb>{alternation})\b"
    return _Patterns(
        active=re.compile(_actor_pattern(subjects) + _ADVERBS + verb),
        passive=re.compile(_PASSIVE + _ADVERBS + verb),
        action=re.compile(_AGENT_ACTION),
        # "... will be reviewed and adopted by the member States" is a passive participle, not a decision.
        coordinated=re.compile(_COORDINATION + rf"(?P<form>{alternation})\b(?!\s+by\b)"),
        cut=re.compile(_COORDINATION + rf"(?:(?:{alternation})\b(?!\s+by\b)|{_OTHER_VERB})"),
        form_keys=form_keys,
    )


# --- where a paragraph belongs ----------------------------------------------------------------
def _section_kind(report: Report, paragraph: Paragraph) -> str:
    """Chapter "Conclusions and recommendations" vs the proceedings, by the chapter's title."""
    chapter = section_title(report, paragraph.section.split(".")[0]) or ""
    return "conclusions" if re.search(r"\bconclusions\b", chapter, re.IGNORECASE) else "proceedings"
