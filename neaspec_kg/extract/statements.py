"""What each delegation, organization, the secretariat or an officer said, per paragraph.

The genre introduces a speaker with a cue that is the subject of a past-tense verb:
"The representative of China highlighted ...", "the delegate from the Republic of Korea
advocated ...", "The representative from the Hanns Seidel Foundation ...", "The Chinese
delegation stated ...", "The secretariat thanked ...", "The Chair expressed ...", often after
a leading clause ("While appreciating ..., the representative of China suggested ...").
The following sentences ("He also stated ...", "Japan recommended ...") belong to the same
speaker until another speaker is cued or the body decides something ("The Meeting ..."),
so one paragraph can hold several statements (Mongolia, then China).

The opening session has its own extractor and is skipped here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from neaspec_kg.curated import Curated
from neaspec_kg.extract.agenda import extract_agenda
from neaspec_kg.extract.decisions import is_decision_sentence, programme_area_of
from neaspec_kg.report.front import decision_subjects
from neaspec_kg.extract.sentences import (
    Sentence,
    country_mentions,
    name_at,
    source_span,
    split_sentences,
)
from neaspec_kg.records import (
    DataQualityWarning,
    Paragraph,
    PersonMention,
    Report,
    SourceSpan,
    SpeakerKind,
    Statement,
)

_SKIPPED_SECTIONS = re.compile(r"^opening\b", re.IGNORECASE)  # "Opening session": extract/opening.py
_STATEMENTS_ITEM = re.compile(r"^statements?\b", re.IGNORECASE)  # "4. Statements by delegations of ..."

_LEAD = r"(?:^|(?<=,\s)|(?<=;\s))"  # a subject starts the sentence or follows a leading clause
_ADVERBS = r"(?:(?:also|further|then|again|\w+ly)\s+)*"
_PAST = r"(?:[a-z]+ed|made|said|gave|took|spoke|sought|brought|drew|felt|thought|put|saw|told)\b"
_VERB_AFTER = re.compile(rf"\s*(?:\([^)]*\)\s*)?\s+{_ADVERBS}{_PAST}")
_ROLE_CUE = re.compile(
    _LEAD + r"(?:[Tt]he\s+)?(?:[Rr]epresentatives?|[Dd]elegates?|[Dd]elegations?|[Gg]overnment|[Oo]bservers?"
    r"|[Hh]eads?\s+of\s+[Dd]elegation)\s+(?:of|from)\s+(?:the\s+)?(?=[A-Z])")
_ADJECTIVE_CUE = re.compile(_LEAD + r"(?:[Tt]he\s+)?(?P<adjective>[A-Z][a-z]+)\s+(?:delegation|representative|Government)\b")
_SECRETARIAT_CUE = re.compile(_LEAD + r"(?:[Tt]he\s+)?(?:[A-Z]+\s+)?[Ss]ecretariat\b")
_LIST_SEPARATOR = re.compile(r"(?:[,;]\s*and\s+|[,;]\s*|\s+and\s+)(?:the\s+)?")
# "..., speaking on behalf of the Group of Asia-Pacific States, stated": a speaker's mandate, between
# the speaker and the verb.
_ON_BEHALF_RE = re.compile(r",\s*(?:(?:also|speaking|who\s+spoke)\s+)?on\s+behalf\s+of\s+(?P<group>[^,;.]+?),")
_LEADING_BEHALF_RE = re.compile(r"^(?:Speaking\s+)?[Oo]n\s+behalf\s+of\s+(?P<group>[^,;.]+?),\s*$")
# The genre's passive list: "Statements were made by the representatives of China, Japan and Mongolia."
_STATEMENTS_BY_RE = re.compile(
    r"^(?:(?:[A-Z][\w-]*\s+){0,2})?(?:[Ss]tatements?|[Ii]nterventions?|[Rr]emarks)\s+(?:were|was)\s+"
    r"(?:made|delivered|presented|given)\s+by\s+(?:the\s+)?(?:representatives?|delegations?|delegates?"
    r"|[Hh]eads?\s+of\s+[Dd]elegation)\s+(?:of|from)\s+(?:the\s+)?(?:following\s+\w+\s*:\s*)?(?:the\s+)?")
_OFFICER_LINE = re.compile(r"^(?P<role>[^:\t\n]+):[ \t]*(?P<person>[^(\n]+?)\s*\((?P<country>[^)\n]+)\)\s*$",
                           re.MULTILINE)
_HONORIFIC = re.compile(r"^(?P<honorific>Mr\.|Ms\.|Mrs\.|Dr\.|H\.E\.)\s+")


@dataclass(frozen=True)
class Speaker:
    kind: SpeakerKind
    key: str  # canonical country name | organization key | "secretariat" | person name
    person: PersonMention | None = None
    on_behalf_of: str | None = None  # the group a delegation speaks for, as printed


@dataclass
class SpeakerRun:
    """Consecutive sentences of one paragraph said by the same speaker(s)."""

    speakers: tuple[Speaker, ...]
    start: int
    end: int
    sentences: list[Sentence] = field(default_factory=list)


def extract_statements(report: Report, curated: Curated,
                       warnings: list[DataQualityWarning]) -> tuple[Statement, ...]:
    agenda_titles = _agenda_titles(report, curated, warnings)
    found: list[Statement] = []
    for paragraph in report.paragraphs:
        if paragraph.number is None or _SKIPPED_SECTIONS.search(_section_title(report, paragraph)):
            continue
        for run in speaker_runs(report, curated, paragraph, warnings):
            found.extend(_statements(report, curated, paragraph, run, agenda_titles))
    return tuple(found)


def _statements(report: Report, curated: Curated, paragraph: Paragraph, run: SpeakerRun,
                agenda_titles: dict[str, str]) -> list[Statement]:
    span = source_span(paragraph, run.start, run.end)
    topics = _topics(report, curated, paragraph, span)
    return [Statement(speaker_kind=s.kind, speaker=s.key, kind=_statement_kind(s, paragraph, agenda_titles),
                      span=span, agenda_item=paragraph.agenda_item, person=s.person, topics=topics,
                      on_behalf_of=s.on_behalf_of)
            for s in run.speakers]


def speaker_runs(report: Report, curated: Curated, paragraph: Paragraph,
                 warnings: list[DataQualityWarning] | None = None) -> list[SpeakerRun]:
    """The statements of one paragraph as runs of sentences, in text order."""
    runs: list[SpeakerRun] = []
    current: SpeakerRun | None = None
    for sentence in split_sentences(paragraph):
        if is_decision_sentence(sentence, curated, decision_subjects(curated, report.front.series)):
            current = None  # the body speaks now; a later "He ..." has no antecedent here
            continue
        speakers = _cued_speakers(report, curated, paragraph, sentence, warnings)
        if speakers and (current is None or speakers != current.speakers):
            current = SpeakerRun(speakers, sentence.start, sentence.end)
            runs.append(current)
        if current is not None:
            current.end = sentence.end
            current.sentences.append(sentence)
    return runs


def _cued_speakers(report: Report, curated: Curated, paragraph: Paragraph, sentence: Sentence,
                   warnings: list[DataQualityWarning] | None) -> tuple[Speaker, ...]:
    """The speaker(s) this sentence introduces; the earliest cue wins."""
    cues = [c for c in (_role_cue(report, curated, paragraph, sentence, warnings),
                        _statements_by_cue(curated, sentence),
                        _adjective_cue(curated, sentence),
                        _secretariat_cue(sentence),
                        _officer_cue(report, curated, paragraph, sentence, warnings),
                        _bare_country_cue(curated, sentence)) if c is not None]
    return min(cues, key=lambda c: c[0])[1] if cues else ()


Cue = tuple[int, tuple[Speaker, ...]]  # (position in the sentence, speakers)


def _role_cue(report: Report, curated: Curated, paragraph: Paragraph, sentence: Sentence,
              warnings: list[DataQualityWarning] | None) -> Cue | None:
    """"The representative(s) of X (and Y)" / "the delegate from X" followed by a verb."""
    text = sentence.text
    for m in _ROLE_CUE.finditer(text):
        speakers, end = _named_list(curated, text, m.end())
        if not speakers:
            if warnings is not None and _VERB_AFTER.match(text, _word_end(text, m.end())):
                warnings.append(DataQualityWarning(
                    report.source, "speaker-unknown",
                    f"'{text[m.start():_word_end(text, m.end())]}' names no State or organization of "
                    "data/curated/country-aliases.csv or data/curated/organizations.csv", paragraph=paragraph.number))
            continue
        behalf = _ON_BEHALF_RE.match(text, end)
        if behalf and _VERB_AFTER.match(text, behalf.end()):
            group = " ".join(behalf.group("group").split())
            return m.start(), tuple(Speaker(s.kind, s.key, s.person, group) for s in speakers)
        if _VERB_AFTER.match(text, end):
            leading = _LEADING_BEHALF_RE.match(text[:m.start()])  # "On behalf of the Group, the representative ..."
            if leading:
                group = " ".join(leading.group("group").split())
                return m.start(), tuple(Speaker(s.kind, s.key, s.person, group) for s in speakers)
            return m.start(), speakers
    return None


def _statements_by_cue(curated: Curated, sentence: Sentence) -> Cue | None:
    """"Statements were made by the representatives of China, Japan and Mongolia": each spoke."""
    m = _STATEMENTS_BY_RE.match(sentence.text)
    if m is None:
        return None
    speakers, _ = _named_list(curated, sentence.text, m.end())
    return (m.start(), speakers) if speakers else None


def _named_list(curated: Curated, text: str, start: int) -> tuple[tuple[Speaker, ...], int]:
    """States or organizations named from ``start`` on: "China, Japan and the Russian Federation"."""
    speakers: list[Speaker] = []
    position = start
    while True:
        named = name_at(text[position:position + 120], curated)
        if named is None:
            break
        kind, key, length = named
        speakers.append(Speaker("state" if kind == "state" else "organization", key))
        position += length
        separator = _LIST_SEPARATOR.match(text, position)
        if separator is None or name_at(text[separator.end():separator.end() + 120], curated) is None:
            break
        position = separator.end()
    return tuple(dict.fromkeys(speakers)), position


_NAME_RE = re.compile(r"[\w'’-]+(?:\s+[A-Z][\w'’-]+)*")  # an unknown name, for the warning


def _word_end(text: str, start: int) -> int:
    m = _NAME_RE.match(text, start)
    return m.end() if m else start


def _adjective_cue(curated: Curated, sentence: Sentence) -> Cue | None:
    """"The Chinese delegation stated ..." (adjectives are aliases in country-aliases.csv)."""
    for m in _ADJECTIVE_CUE.finditer(sentence.text):
        mentions = curated.country_matcher.find(m.group("adjective"))
        if mentions and mentions[0].text == m.group("adjective") and _VERB_AFTER.match(sentence.text, m.end()):
            return m.start(), (Speaker("state", mentions[0].key),)
    return None


def _secretariat_cue(sentence: Sentence) -> Cue | None:
    for m in _SECRETARIAT_CUE.finditer(sentence.text):
        if _VERB_AFTER.match(sentence.text, m.end()):
            return m.start(), (Speaker("secretariat", "secretariat"),)
    return None


def _officer_cue(report: Report, curated: Curated, paragraph: Paragraph, sentence: Sentence,
                 warnings: list[DataQualityWarning] | None) -> Cue | None:
    """"The Chair expressed ...": the speaker is the person elected to that role."""
    for alias, role in sorted(_role_aliases(curated).items(), key=lambda kv: -len(kv[0])):
        for m in re.finditer(_LEAD + rf"(?:[Tt]he\s+)?{re.escape(alias)}\b", sentence.text):
            if not _VERB_AFTER.match(sentence.text, m.end()):
                continue
            person = _officer(report, curated, role)
            if person is None:
                if warnings is not None:
                    warnings.append(DataQualityWarning(
                        report.source, "speaker-unresolved",
                        f"the {alias} speaks, but the report lists no officer line '{alias}: <name> (<country>)'",
                        paragraph=paragraph.number))
                return None
            return m.start(), (Speaker("person", person.name, person),)
    return None


def _role_aliases(curated: Curated) -> dict[str, str]:
    return {alias: row["key"] for row in curated.rows("roles")
            for alias in [a.strip() for a in row["aliases"].split(";")] if alias}


def _officer(report: Report, curated: Curated, role: str) -> PersonMention | None:
    """The officer elected to ``role``, from the report's list "Chair:<tab>Mr. ZHOU Jun (China)"."""
    aliases = _role_aliases(curated)
    for paragraph in report.paragraphs:
        for m in _OFFICER_LINE.finditer(paragraph.text):
            if aliases.get(m.group("role").strip()) != role:
                continue
            printed = m.group("person").strip()
            honorific = _HONORIFIC.match(printed)
            name = printed[honorific.end():] if honorific else printed
            family = next((w for w in name.split() if w.isupper() and len(w) > 1), None)
            countries = curated.country_matcher.keys_in(m.group("country"))
            return PersonMention(name=name, span=source_span(paragraph, m.start("person"), m.end("country") + 1),
                                 honorific=honorific.group("honorific") if honorific else None,
                                 family_name=family, country=countries[0] if countries else None)
    return None


def _bare_country_cue(curated: Curated, sentence: Sentence) -> Cue | None:
    """"Japan recommended ...": a State as the subject, at the start or after a leading clause."""
    text = sentence.text
    for mention in country_mentions(text, curated):
        before = text[:mention.start]
        if re.search(r"(?:^|,\s+)(?:[Tt]he\s+)?$", before) and _VERB_AFTER.match(text, mention.end):
            return mention.start, (Speaker("state", mention.key),)
    return None


# --- kind and topics ---------------------------------------------------------------------------
def _statement_kind(speaker: Speaker, paragraph: Paragraph, agenda_titles: dict[str, str]) -> str:
    """secretariat-response | delegation-statement (the agenda's "Statements by ..." item) | intervention."""
    if speaker.kind == "secretariat":
        return "secretariat-response"
    item = (paragraph.agenda_item or "").split(" ")[0]
    if item and _STATEMENTS_ITEM.search(agenda_titles.get(item, "")):
        return "delegation-statement"
    return "intervention"


def _agenda_titles(report: Report, curated: Curated, warnings: list[DataQualityWarning]) -> dict[str, str]:
    """Item number -> title, from the adopted agenda ("4. Statements by delegations of ..."), wherever the
    report prints it (a list, an annex, one sentence); the agenda extractor reports its own defects."""
    titles = {item.notation: item.title for item in extract_agenda(report, curated, []) if item.letter is None}
    if not titles:
        warnings.append(DataQualityWarning(
            report.source, "agenda-list-missing",
            "no adopted agenda list ('Adoption of the agenda'): statements are all typed as interventions"))
    return titles


def _topics(report: Report, curated: Curated, paragraph: Paragraph, span: SourceSpan) -> tuple[str, ...]:
    area = programme_area_of(report, curated, paragraph)
    mentioned = curated.programme_area_matcher.keys_in(span.exact)
    return tuple(dict.fromkeys(([area] if area else []) + mentioned))


def _section_title(report: Report, paragraph: Paragraph) -> str:
    return next((s.title for s in report.sections if s.key == paragraph.section), "")
