"""Facts from a parsed report: one module per kind of fact, one entry point here.

Every extractor has the signature ``extract_x(report, curated, warnings) -> records`` and
appends a :class:`DataQualityWarning` to ``warnings`` when the report does not fit the
genre (a section missing, an officer line without a country ...), naming the paragraph.
"""

from __future__ import annotations

from dataclasses import replace

from neaspec_kg.curated import Curated
from neaspec_kg.records import DataQualityWarning, Decision, EventMention, Extraction, Report, SourceSpan, Statement


def extract_all(report: Report, curated: Curated) -> Extraction:
    from neaspec_kg.extract import (
        agenda,
        attendance,
        commitments,
        decisions,
        documents,
        events,
        officers,
        opening,
        plans,
        projects,
        sessions,
        statements,
    )

    warnings: list[DataQualityWarning] = list(report.warnings)
    event_mentions = events.extract_events(report, curated, warnings)
    opening_persons, opening_statements = opening.extract_opening(report, curated, warnings)
    officer_elections = officers.extract_officers(report, curated, warnings)
    return Extraction(
        report=report,
        agenda=agenda.extract_agenda(report, curated, warnings),
        attendance=attendance.extract_attendance(report, curated, warnings),
        officers=officer_elections,
        persons=opening_persons,
        statements=with_taxa(opening_statements + statements.extract_statements(report, curated, warnings), curated),
        decisions=with_events(with_taxa(decisions.extract_decisions(report, curated, warnings), curated),
                              event_mentions),
        documents=documents.extract_documents(report, curated, warnings),
        projects=projects.extract_projects(report, curated, warnings),
        commitments=commitments.extract_commitments(report, curated, warnings),
        events=event_mentions,
        plans=plans.extract_plans(report, curated, warnings),
        sessions=sessions.extract_session_mentions(report, curated, warnings),
        warnings=tuple(warnings),
    )


def with_taxa(records: tuple[Statement, ...] | tuple[Decision, ...], curated: Curated):
    """Name the taxa each statement or decision mentions, whatever name the report uses
    ("Amur tigers" in one paragraph, "Siberian tiger" in another: one taxon)."""
    return tuple(replace(r, taxa=tuple(curated.taxon_matcher.keys_in(_about(r).exact))) for r in records)


def _about(record: Statement | Decision) -> SourceSpan:
    """The text a record is about: a decision's object ("Noting X, the delegates advised Y": Y)."""
    return getattr(record, "object_span", None) or record.span


def with_events(found: tuple[Decision, ...], mentions: tuple[EventMention, ...]) -> tuple[Decision, ...]:
    """A decision acts on the events named inside its clause ("noted the plan for the Second
    NEACAP Policy Dialogue")."""
    def inside(d: Decision, e: EventMention) -> bool:
        about = _about(d)
        return (e.span.paragraph == about.paragraph and e.span.section == about.section
                and e.span.occurrence == about.occurrence
                and about.start <= e.span.start and e.span.end <= about.end)

    return tuple(replace(d, events=tuple(dict.fromkeys(e.key for e in mentions if inside(d, e)))) for d in found)
