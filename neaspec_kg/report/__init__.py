"""Reading NEASPEC/ESCAP meeting reports: structure (this package) then facts (neaspec_kg.extract)."""

from neaspec_kg.report.structure import parse_report, parse_report_text

__all__ = ["parse_report", "parse_report_text"]
