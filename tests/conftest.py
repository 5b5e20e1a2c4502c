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


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The full build of the repository's data, once per test session, in a temporary folder.

    Yields the BuildResult; ``built.folder`` holds dataset.nq, store/ and build.json.
    """
    from neaspec_kg.build import run_build
    from neaspec_kg.settings import Settings

    settings = Settings(build_dir=tmp_path_factory.mktemp("build"))
    return run_build(settings, force=True, progress=False, out=lambda _text: None)


@pytest.fixture(scope="session")
def store(built):
    """The built graph in a read-only pyoxigraph store (its default graph holds the union of named graphs)."""
    import pyoxigraph

    return pyoxigraph.Store.read_only(str(built.folder / "store"))
