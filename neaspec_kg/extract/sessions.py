"""Sessions of the series named anywhere in a report's paragraphs ("since the SOM-26",
"the 28th Senior Officials Meeting (SOM-28)"), so that they link to the series entries."""

from __future__ import annotations

from neaspec_kg.curated import Curated
from neaspec_kg.extract.sentences import source_span
from neaspec_kg.records import DataQualityWarning, Report, SessionMention
from neaspec_kg.report.ordinals import session_ordinals


def extract_session_mentions(report: Report, curated: Curated,
                             warnings: list[DataQualityWarning]) -> tuple[SessionMention, ...]:
    mentions: list[SessionMention] = []
    for paragraph in report.paragraphs:
        if paragraph.number is None:
            continue  # the title block names the report's own session; the front matter says so
        for number, start, end in session_ordinals(paragraph.text):
            mentions.append(SessionMention(session=number, span=source_span(paragraph, start, end)))
    return tuple(mentions)
