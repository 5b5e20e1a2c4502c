"""A build that loses what it had stops: each report's extraction is compared with the last good build's.

A truncated file, a section lost in conversion or a parser change that stops reading part of a
report gives far fewer paragraphs or facts than before. The build then fails with the comparison
and keeps the last good build, unless the user says the change is intended
(``neaspec-kg build --accept-shrink FILE``). Reports are matched by session, not by file name,
so a ``.txt`` replaced by the published ``.pdf`` is compared with what the ``.txt`` gave.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from neaspec_kg import iris
from neaspec_kg.records import Extraction

# A report may lose up to this share of its paragraphs or facts (a corrected report, a stricter
# extractor) before the build calls it a loss.
MAX_LOSS = 0.10
_FACT_KINDS = ("agenda", "officers", "statements", "decisions", "documents", "projects", "commitments", "events",
               "plans")


class ShrinkError(Exception):
    """New extractions with far fewer paragraphs or facts than the last good build."""


def report_key(extraction: Extraction) -> str:
    return iris.meeting_path(extraction.report.front.meeting_key)


def report_counts(extraction: Extraction) -> dict:
    """What build.json keeps of a report to compare the next build with."""
    return {
        "file": extraction.report.source,
        "paragraphs": sum(1 for p in extraction.report.paragraphs if p.number is not None),
        "facts": sum(len(getattr(extraction, kind)) for kind in _FACT_KINDS) + (extraction.attendance is not None),
    }


def check_shrink(extractions: list[Extraction], last_good: dict | None, accept: Iterable[str] = ()) -> list[str]:
    """Raise ShrinkError naming every report that lost much; return the notes of accepted losses.

    ``last_good`` is the summary (build.json) of the current build; ``accept`` are file names
    (or paths) whose loss the user declared intended.
    """
    before = (last_good or {}).get("report_counts") or {}
    accepted = {Path(name).name for name in accept}
    failures, notes = [], []
    for extraction in extractions:
        old = before.get(report_key(extraction))
        if not old:
            continue
        new = report_counts(extraction)
        lost = [what for what in ("paragraphs", "facts") if new[what] < (1 - MAX_LOSS) * old[what]]
        if not lost:
            continue
        line = (f"{new['file']} ({extraction.report.front.name}): {new['paragraphs']} paragraphs and "
                f"{new['facts']} facts, against {old['paragraphs']} paragraphs and {old['facts']} facts read from "
                f"{old['file']} in the last good build (release {last_good.get('release')}); "
                + ", ".join(f"{1 - new[w] / old[w]:.0%} of the {w} lost" for w in lost))
        if new["file"] in accepted:
            notes.append(line + " (accepted with --accept-shrink)")
        else:
            failures.append(line)
    if failures:
        files = " ".join(sorted({f.split(" ", 1)[0] for f in failures}))
        raise ShrinkError(
            "a report gives far fewer paragraphs or facts than in the last good build, which is kept:\n  "
            + "\n  ".join(failures)
            + "\nIs the file truncated or a section lost in conversion? If the change is intended, run "
              f"`neaspec-kg build --accept-shrink {files}`.")
    return notes
