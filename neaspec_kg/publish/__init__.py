"""Publish a release of the current build: ``dist/releases/<version>/`` plus ``dist/latest``.

A release is written into a staging folder and renamed into place in one step, then
``latest`` is swapped (a symlink replaced by rename), so a failed or interrupted publish
leaves the last good release untouched. Old releases stay. The same build published again
gives the same version, date and bytes (the date of a release whose data is unchanged is
kept; a new release takes ``SOURCE_DATE_EPOCH`` when set, else today's UTC date).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pyoxigraph

from neaspec_kg.folders import remove_stale, replace_folder, staging_folder, swap_symlink
from neaspec_kg.namespaces import BASE
from neaspec_kg.publish import metadata, names
from neaspec_kg.settings import Settings


class PublishError(Exception):
    """The publish stopped; the last good release is untouched. The message says why."""


@dataclass
class PublishResult:
    version: str
    folder: Path
    previous: str | None
    files: dict[str, int]  # path -> bytes
    seconds: float
    unchanged: bool  # the same version was published again with identical bytes


def publish(settings: Settings, out: Path, *, released: date | None = None) -> PublishResult:
    started = time.perf_counter()
    build = settings.current_build
    summary_path = build / "build.json"
    if not summary_path.is_file() or not (build / "store").is_dir():
        raise PublishError(f"no build at {build}: run `neaspec-kg build` first")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    out = Path(out)
    releases = out / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    version, day, previous = _choose_version(releases, out / "latest", summary["release"], released)
    remove_stale(releases)  # what a killed publish left behind
    staging = staging_folder(releases)
    try:
        _write_release(settings, build, summary, staging, version, day, previous, releases)
        unchanged = _install(staging, releases / version)
    except PublishError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except (OSError, ValueError, SyntaxError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(f"release {version}: {exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_symlink(out / "latest", releases / version)
    _write_index(out, releases)
    final = releases / version
    files = {str(p.relative_to(final)): p.stat().st_size for p in sorted(final.rglob("*")) if p.is_file()}
    return PublishResult(version, final, previous, files, time.perf_counter() - started, unchanged)


# --- versions ------------------------------------------------------------------------------------
def _choose_version(releases: Path, latest: Path, build_release: str, released: date | None
                    ) -> tuple[str, date, str | None]:
    """(version, date, previous version). The same data keeps its version and date."""
    last = read_release(latest) if latest.exists() else None
    if last and last.get("build") == build_release:
        return last["version"], date.fromisoformat(last["released"]), last.get("previous")
    day = released or _release_date()
    version = day.strftime("%Y.%m.%d")
    n = 1
    while (releases / version).exists():  # another release the same day, with other data
        n += 1
        version = f"{day:%Y.%m.%d}.{n}"
    return version, day, last["version"] if last else None


def _release_date() -> date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")  # reproducible-builds.org convention
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return datetime.now(UTC).date()


def read_release(folder: Path) -> dict | None:
    """A release's release.json, or None if there is none (or it is unreadable)."""
    path = Path(folder) / names.RELEASE_JSON
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def list_releases(out: Path) -> list[dict]:
    """Every release under ``out/releases``, newest first (for the server's download page)."""
    found = [r for p in sorted((Path(out) / "releases").glob("*")) if not p.name.startswith(".")
             if (r := read_release(p))]
    return sorted(found, key=lambda r: (r["released"], r["version"]), reverse=True)


# --- writing a release --------------------------------------------------------------------------------
def _write_release(settings: Settings, build: Path, summary: dict, folder: Path, version: str, day: date,
                   previous: str | None, releases: Path) -> None:
    from neaspec_kg.publish import changes, docs, dumps, tables
    from neaspec_kg.sdg.kos import kos_licence

    store = pyoxigraph.Store.read_only(str(build / "store"))
    citation = kos_licence(settings.data_dir)
    written = dumps.write_dumps(build / "dataset.nq", folder)
    licence = {"name": "CC-BY-4.0", "path": str(metadata.CC_BY), "title": "Creative Commons Attribution 4.0"}
    table_list = tables.write_tables(tables.merged_store(build / "dataset.nq"), settings.queries_dir, folder, licence)
    docs.write_docs(folder, settings.ontology_dir, settings.shapes_dir, settings.root / "README.md", version, citation)

    files = [_file(folder, d.path, d.media_type, _dump_title(d), d.triples, d.graph, d.compressed) for d in written]
    files += [_file(folder, t.path, "text/csv", f"Table: {t.title.removeprefix('Table: ')} (CSV)") for t in table_list]
    files.append(_file(folder, names.DATAPACKAGE, "application/json", "Frictionless data package of the tables"))

    previous_dump = releases / previous / names.DATASET_NQ if previous else None
    if previous_dump is not None and not previous_dump.is_file():
        previous_dump = None
    diff = changes.compare(folder / names.DATASET_NQ, previous_dump, previous)
    from neaspec_kg.publish import site

    model = site.load_model(settings.ontology_dir, settings.shapes_dir)
    shapes_count = len(model["shapes"].shapes)
    validation = (f"SHACL: conforms. The build validated every named graph against the {shapes_count} node shapes "
                  "in shapes/*.ttl (a build with a violation is never published); the DCAT-AP description "
                  "of this release is checked against the DCAT-AP 3.0.1 shapes by the test suite.")
    notes = changes.release_notes(version, day.isoformat(), diff, validation, summary.get("warnings", []))
    _put(folder / names.RELEASE_NOTES, notes.encode("utf-8"))

    facts = metadata.dataset_facts(store, summary["graphs"])
    info = metadata.ReleaseInfo(version, day, previous, facts, files, citation,
                                notes=_summary_line(diff), warnings=len(summary.get("warnings", [])))
    schema_org = _write_metadata(folder, info, settings.public_base)
    site.write_site(store, folder, info, summary, schema_org, build / "search.sqlite", model)
    _write_record(folder, info, summary, validation, diff)


def _write_metadata(folder: Path, info, public_url: str) -> dict:
    """VoID, DCAT-AP (Turtle, JSON-LD), schema.org and the redirect rules; the schema.org record."""
    from neaspec_kg.publish import redirects
    from neaspec_kg.publish.dcat import dcat_graph

    void = metadata.void_graph(info)
    dcat = dcat_graph(info)
    _put(folder / names.VOID_TTL, void.serialize(format="turtle", encoding="utf-8"))
    _put(folder / names.DCAT_TTL, dcat.serialize(format="turtle", encoding="utf-8"))
    _put(folder / names.DCAT_JSONLD, _sorted_jsonld(dcat))
    schema_org = metadata.schema_org_dataset(info)
    _put(folder / names.SCHEMA_ORG, (json.dumps(schema_org, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    _put(folder / names.REDIRECTS / ".htaccess", redirects.htaccess(public_url).encode("utf-8"))
    return schema_org


def _write_record(folder: Path, info, summary: dict, validation: str, diff) -> None:
    """release.json (every file with its size and checksum) and SHA256SUMS, written last."""
    version, previous = info.version, info.previous
    listed = [f for f in _all_files(folder)]
    record = {
        "version": version,
        "released": info.released.isoformat(),
        "version_iri": str(names.release(version)),
        "previous": previous,
        "previous_iri": str(names.release(previous)) if previous else None,
        "build": summary["release"],
        "base_iri": BASE,
        "software_version": summary.get("version"),
        "triples": summary["triples"],
        "graphs": summary["graphs"],
        "validation": validation,
        "data_quality_warnings": len(summary.get("warnings", [])),
        "licence": {"data": str(metadata.CC_BY), "code": "MIT", "sdg_kos": info.kos_citation},
        "changes": diff.as_dict(),
        "files": [{"path": p, "bytes": (folder / p).stat().st_size, "sha256": _sha256(folder / p)} for p in listed],
    }
    _put(folder / names.RELEASE_JSON, (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    sums = "".join(f"{_sha256(folder / p)}  {p}\n" for p in _all_files(folder) if p != names.CHECKSUMS)
    _put(folder / names.CHECKSUMS, sums.encode("utf-8"))


def _summary_line(diff) -> str:
    added = sum(g["added"] for g in diff.graphs.values())
    removed = sum(g["removed"] for g in diff.graphs.values())
    since = f"since {diff.previous}" if diff.previous else "first release"
    return f"{added:,} triples added and {removed:,} removed ({since}); see RELEASE-NOTES.md."


def _dump_title(d) -> str:
    what = "the whole dataset (all named graphs)" if d.graph is None else f"named graph <{d.graph}>"
    kind = {"nquads": "N-Quads (gzip)", "trig": "TriG", "turtle": "Turtle", "ntriples": "N-Triples (gzip)",
            "jsonld": "JSON-LD"}[d.format]
    return f"{kind} dump of {what}"


def _sorted_jsonld(graph) -> bytes:
    data = json.loads(graph.serialize(format="json-ld"))
    nodes = sorted(data if isinstance(data, list) else data.get("@graph", []), key=lambda n: n.get("@id", ""))
    for node in nodes:
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
    return (json.dumps(nodes, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _file(folder: Path, path: str, media_type: str, title: str, triples: int | None = None,
          graph: str | None = None, compressed: bool = False):
    from neaspec_kg.publish.metadata import ReleaseFile

    full = folder / path
    return ReleaseFile(path, media_type, full.stat().st_size, _sha256(full), title, triples, graph, compressed)


def _all_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _put(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# --- installing -------------------------------------------------------------------------------------
def _install(staging: Path, final: Path) -> bool:
    """Rename the staging folder into place; True when an identical release was already there."""
    if final.exists():
        if _same_tree(staging, final):
            shutil.rmtree(staging)
            return True
        replace_folder(staging, final)  # releases/<version> is never missing, even for a moment
        return False
    staging.rename(final)
    return False


def _same_tree(a: Path, b: Path) -> bool:
    files_a, files_b = _all_files(a), _all_files(b)
    return files_a == files_b and all((a / f).read_bytes() == (b / f).read_bytes() for f in files_a)


def _write_index(out: Path, releases: Path) -> None:
    """``releases/index.json``: every release, newest first (written by rename)."""
    data = [{k: r.get(k) for k in ("version", "released", "version_iri", "previous", "build", "triples")}
            for r in list_releases(out)]
    tmp = releases / f".index-{os.getpid()}.json"
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, releases / "index.json")


__all__ = ["PublishError", "PublishResult", "list_releases", "publish", "read_release"]
