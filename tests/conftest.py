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


RELEASE_DAY = "2026-11-24"


@pytest.fixture(scope="session")
def release(built, tmp_path_factory):
    """One release published from ``built`` (dated RELEASE_DAY), once per test session; tests
    that change a release work on a copy (``copy_of_release``)."""
    from datetime import date

    from neaspec_kg.publish import publish
    from neaspec_kg.settings import Settings

    return publish(Settings(build_dir=built.folder.parent.parent), tmp_path_factory.mktemp("dist"),
                   released=date.fromisoformat(RELEASE_DAY))


@pytest.fixture
def copy_of_release(release, tmp_path):
    """The session's published output folder (releases/, latest, index.json) copied for one test,
    and the copy's release as publish returned it."""
    import dataclasses
    import shutil

    out = tmp_path / "dist"
    shutil.copytree(release.folder.parent.parent, out, symlinks=True)
    return out, dataclasses.replace(release, folder=out / "releases" / release.version)
