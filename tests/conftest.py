"""Shared fixtures: the repository's data, the curated tables, the parsed SOM-27 report."""

from __future__ import annotations

from pathlib import Path

import pytest

from neaspec_kg.curated import Curated
from neaspec_kg.report import parse_report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SOM27 = ROOT / "data" / "reports" / "som27-report.txt"


@pytest.fixture(scope="session")
def curated() -> Curated:
    return Curated(ROOT / "data")


@pytest.fixture(scope="session")
def som27(curated):
    return parse_report(SOM27, curated)
