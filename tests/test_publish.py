"""End-to-end tests of `neaspec-kg publish`: dumps re-parsed by other parsers, checksums,
DCAT-AP 3.0.1 conformance, tables vs the graph, versions, atomicity, determinism."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import shutil
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF, SH, VOID

from neaspec_kg.namespaces import NEA
from neaspec_kg.publish import PublishError, names, publish
from neaspec_kg.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DCAT_AP = FIXTURES / "dcat-ap" / "dcat-ap-3.0.1-SHACL.ttl"
DAY = date(2026, 11, 24)


@pytest.fixture(scope="session")
def release_json(release):
    return json.loads((release.folder / names.RELEASE_JSON).read_text())


def dump_paths(release) -> list[str]:
    return [f for f in release.files if f.startswith("dumps/") and not f.endswith("context.jsonld")]


# --- 1. dumps ----------------------------------------------------------------------------------
def _pyoxigraph_counts(path: Path) -> Counter:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    name = path.name.removesuffix(".gz")
    fmt = {"nq": pyoxigraph.RdfFormat.N_QUADS, "trig": pyoxigraph.RdfFormat.TRIG, "ttl": pyoxigraph.RdfFormat.TURTLE,
           "nt": pyoxigraph.RdfFormat.N_TRIPLES, "jsonld": pyoxigraph.RdfFormat.JSON_LD}[name.rsplit(".", 1)[1]]
    if fmt == pyoxigraph.RdfFormat.JSON_LD:
        data = _inline_context(data, path)
    counts: Counter = Counter()
    for quad in pyoxigraph.parse(data, format=fmt):
        graph = quad.graph_name.value if isinstance(quad.graph_name, pyoxigraph.NamedNode) else None
        counts[graph] += 1
    return counts


def _inline_context(data: bytes, path: Path) -> bytes:
    """The JSON-LD dumps refer to the published context file; the parser gets its content
    (no parser here fetches contexts, by design)."""
    document = json.loads(data)
    context_file = (path.parent / document["@context"]).resolve()
    assert context_file.is_file(), f"{path.name} refers to a context file that is not in the release"
    document["@context"] = json.loads(context_file.read_text())["@context"]
    return json.dumps(document).encode()


def test_every_dump_reparsed_by_pyoxigraph_has_the_build_counts(release, built):
    paths = dump_paths(release)
    assert {p.rsplit(".", 1)[-1] for p in paths} >= {"gz", "trig", "ttl", "jsonld"}
    for path in paths:
        counts = _pyoxigraph_counts(release.folder / path)
        if path in (names.DATASET_NQ, names.DATASET_TRIG):
            assert dict(counts) == built.graphs, path
        else:
            graph = next(g for g in built.graphs if path.startswith(names.graph_dump(g, "")))
            assert sum(counts.values()) == built.graphs[graph], path


@pytest.mark.skipif(shutil.which("rapper") is None,
                    reason="rapper (Debian raptor2-utils) is not installed; `make test` installs it")
def test_every_rdf_dump_reparsed_by_rapper_has_the_build_counts(release, built):
    syntax = {"nq": "nquads", "trig": "trig", "ttl": "turtle", "nt": "ntriples"}
    checked = 0
    for path in dump_paths(release):
        name = path.removesuffix(".gz")
        if name.rsplit(".", 1)[1] not in syntax:
            continue  # raptor has no JSON-LD parser
        data = (release.folder / path).read_bytes()
        if path.endswith(".gz"):
            data = gzip.decompress(data)
        proc = subprocess.run(["rapper", "-q", "-i", syntax[name.rsplit(".", 1)[1]], "-o", "nquads", "-", "http://x/"],
                              input=data, capture_output=True, check=True)
        lines = [line for line in proc.stdout.decode().splitlines() if line.strip()]
        if path in (names.DATASET_NQ, names.DATASET_TRIG):
            per_graph = Counter(line.rsplit(" ", 2)[-2].strip("<>") for line in lines)
            assert dict(per_graph) == built.graphs, path
        else:
            graph = next(g for g in built.graphs if path.startswith(names.graph_dump(g, "")))
            assert len(lines) == built.graphs[graph], path
        checked += 1
    assert checked == 2 + 2 * len(built.graphs)  # whole dataset (nq, trig) + Turtle and N-Triples per graph


def test_checksums_file_and_metadata_agree_with_the_bytes(release, release_json):
    sums = dict(reversed(line.split("  ", 1)) for line in (release.folder / names.CHECKSUMS).read_text().splitlines())
    assert set(sums) == set(release.files) - {names.CHECKSUMS}
    for path, digest in sums.items():
        assert hashlib.sha256((release.folder / path).read_bytes()).hexdigest() == digest, path
    listed = {f["path"]: f["sha256"] for f in release_json["files"]}
    for path in dump_paths(release):
        assert listed[path] == sums[path]
    dcat = Graph().parse(release.folder / names.DCAT_TTL)
    in_dcat = {str(v) for v in dcat.objects(None, pyoxigraph_spdx("checksumValue"))}
    assert {sums[p] for p in dump_paths(release)} <= in_dcat


def pyoxigraph_spdx(local: str):
    from rdflib import URIRef

    return URIRef("http://spdx.org/rdf/terms#" + local)


# --- 2. dataset description --------------------------------------------------------------------
def dcat_ap_shapes() -> Graph:
    """The official shapes with the two dangling sh:property references of
    dcat:DataServiceShape dropped (tests/fixtures/dcat-ap/README.md)."""
    shapes = Graph().parse(DCAT_AP)
    dangling = [(s, p, o) for s, p, o in shapes.triples((None, SH.property, None)) if (o, None, None) not in shapes]
    assert len(dangling) == 2 and all("DataServiceShape" in str(s) for s, _, _ in dangling)
    for triple in dangling:
        shapes.remove(triple)
    return shapes


def test_dcat_description_conforms_to_dcat_ap_3(release):
    from pyshacl import validate

    data = Graph().parse(release.folder / names.DCAT_TTL)
    conforms, _, text = validate(data, shacl_graph=dcat_ap_shapes(), inference="none")
    assert conforms, text
    assert (None, RDF.type, DCAT.DataService) in data  # the check above covered the SPARQL service
    assert len(set(data.subjects(RDF.type, DCAT.Distribution))) >= 20


def test_dcat_ap_shapes_catch_a_missing_description(release):
    """The validation is not vacuous: the same data without dct:description fails."""
    from pyshacl import validate

    data = Graph().parse(release.folder / names.DCAT_TTL)
    dataset = next(data.subjects(RDF.type, DCAT.Dataset))
    data.remove((dataset, DCTERMS.description, None))
    conforms, _, text = validate(data, shacl_graph=dcat_ap_shapes(), inference="none")
    assert not conforms and "description" in text


def test_dcat_carries_licence_version_coverage_themes_and_the_kos_citation(release, release_json):
    from rdflib import URIRef

    data = Graph().parse(release.folder / names.DCAT_TTL)
    dataset = names.release(release.version)
    assert str(data.value(dataset, URIRef(str(DCAT) + "version"))) == release.version
    assert str(data.value(dataset, DCTERMS.issued)) == DAY.isoformat()
    assert data.value(dataset, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    period = data.value(dataset, DCTERMS.temporal)
    assert str(data.value(period, URIRef(str(DCAT) + "startDate"))) <= "2024-12-12"
    themes = {str(t) for t in data.objects(dataset, DCAT.theme)}
    assert "http://metadata.un.org/sdg/13" in themes
    assert (names.catalogue(), DCAT.themeTaxonomy, URIRef("http://metadata.un.org/sdg")) in data
    rights = data.value(dataset, DCTERMS.rights)
    assert "Amit Joshi" in str(data.value(rights, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert "Amit Joshi" in release_json["licence"]["sdg_kos"]
    service = names.sparql_endpoint()
    assert (service, DCAT.servesDataset, dataset) in data
    nq = next(data.subjects(DCAT.downloadURL, names.release_file(release.version, names.DATASET_NQ)))
    assert int(data.value(nq, DCAT.byteSize)) == (release.folder / names.DATASET_NQ).stat().st_size


def test_void_counts_partitions_subsets_and_linksets(release, built):
    from rdflib import URIRef

    void = Graph().parse(release.folder / names.VOID_TTL)
    dataset = names.release(release.version)
    assert int(void.value(dataset, VOID.triples)) == built.triples
    assert void.value(dataset, VOID.sparqlEndpoint) == names.sparql_endpoint()
    subsets = {str(void.value(s, URIRef("http://www.w3.org/ns/sparql-service-description#name"))): int(
        void.value(s, VOID.triples)) for s in void.objects(dataset, VOID.subset) if (s, RDF.type, VOID.Linkset) not in void}
    assert subsets == built.graphs
    targets = {str(void.value(ls, VOID.objectsTarget)) for ls in void.subjects(RDF.type, VOID.Linkset)}
    assert {"http://metadata.un.org/sdg/void.ttl#SDG", "http://www.wikidata.org/"} <= targets
    kos_links = sum(int(void.value(ls, VOID.triples)) for ls in void.subjects(RDF.type, VOID.Linkset)
                    if str(void.value(ls, VOID.objectsTarget)) == "http://metadata.un.org/sdg/void.ttl#SDG")
    assert kos_links > 0
    partitions = {str(void.value(p, VOID["class"])): int(void.value(p, VOID.entities))
                  for p in void.objects(dataset, VOID.classPartition)}
    assert partitions[str(URIRef(f"{NEA}Meeting"))] == built.classes[f"{NEA}Meeting"]


def test_home_page_carries_schema_org_dataset(release):
    import re

    html = (release.folder / "index.html").read_text()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1)
    data = json.loads(block.replace("<\\/", "</"))
    assert data["@type"] == "Dataset" and data["version"] == release.version
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert len(data["description"]) >= 50
    assert any(d["contentUrl"].endswith(names.DATASET_NQ) for d in data["distribution"])


# --- 3. tables ----------------------------------------------------------------------------------
def test_tables_match_their_queries_and_the_datapackage(release, built):
    from neaspec_kg.publish.tables import merged_store, table_queries

    package = json.loads((release.folder / names.DATAPACKAGE).read_text())
    names_in_package = {r["name"] for r in package["resources"]}
    assert {"sessions", "participants", "officers", "decisions", "commitments", "projects"} <= names_in_package
    store = merged_store(built.folder / "dataset.nq")
    queries = {q.stem.removeprefix("table-"): q for q in table_queries(Path(__file__).parent.parent / "queries")}
    for resource in package["resources"]:
        path = release.folder / names.TABLES / resource["path"]
        rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
        assert rows[0] == [f["name"] for f in resource["schema"]["fields"]]
        answer = list(store.query(queries[resource["name"]].read_text()))
        assert len(rows) - 1 == len(answer), resource["name"]
        assert resource["hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
        assert (release.folder / names.TABLES / resource["sources"][0]["path"]).is_file()


def test_commitments_table_has_values_units_years_and_sdg_targets(release):
    rows = list(csv.DictReader((release.folder / names.TABLES / "commitments.csv").open(encoding="utf-8")))
    china = next(r for r in rows if r["state"] == "China" and r["year"] == "2025")
    assert china["value"] == "10" and china["unit"] == "percent"
    assert china["unit_code"] == "http://qudt.org/vocab/unit/PERCENT"
    assert any(r["sdg_targets"] for r in rows)
    package = json.loads((release.folder / names.DATAPACKAGE).read_text())
    fields = {f["name"]: f["type"] for r in package["resources"] if r["name"] == "commitments"
              for f in r["schema"]["fields"]}
    assert fields["value"] == "number" and fields["year"] == "year" and fields["number"] == "integer"


def test_officers_table_names_the_chair_of_som27(release):
    rows = list(csv.DictReader((release.folder / names.TABLES / "officers.csv").open(encoding="utf-8")))
    chair = [r for r in rows if r["session"] == "SOM-27" and r["role"] == "Chair"]
    assert [(r["person"], r["state"], r["paragraph"]) for r in chair] == [("ZHOU Jun", "China", "15")]


# --- 4. documentation ----------------------------------------------------------------------------
def test_model_documentation(release):
    docs = release.folder / names.DOCS
    ontology = (docs / "ontology.html").read_text()
    # the anchor of a term is its IRI's fragment: .../ontology#Decision lands on its entry
    assert 'id="Decision"' in ontology and "An outcome of a session recorded in its report" in ontology
    shapes = (docs / "shapes.html").read_text()
    assert 'id="MeetingShape"' in shapes and "<code>nea:Meeting</code>" in shapes
    assert "id/meeting/som-{n}" in (docs / "iris.html").read_text()
    licences = (docs / "licences.html").read_text()
    assert "CC BY 4.0" in licences and "MIT" in licences and "Amit Joshi" in licences


# --- 6. versions and change ----------------------------------------------------------------------
def test_release_record_and_notes(release, release_json, built):
    assert release_json["version"] == release.version == "2026.11.24"
    assert release_json["version_iri"] == str(names.release(release.version))
    assert release_json["build"] == built.release
    notes = (release.folder / names.RELEASE_NOTES).read_text()
    assert "First release" in notes and "SHACL: conforms" in notes
    for graph, count in built.graphs.items():
        assert f"| `{graph}` | {count:,} | {count:,} | 0 |" in notes


def test_second_release_links_previous_and_reports_changes(built, copy_of_release):
    settings = Settings(build_dir=built.folder.parent.parent)
    tmp_path, first = copy_of_release  # the session's release, published from this build
    # the same data published again: same version, same bytes, nothing rewritten
    again = publish(settings, tmp_path, released=date(2026, 2, 2))
    assert again.version == first.version and again.unchanged
    # a release of other data: drop one triple from the previous dump to simulate a change
    old_dump = first.folder / names.DATASET_NQ
    lines = gzip.decompress(old_dump.read_bytes()).decode().splitlines(keepends=True)
    removed_graph = lines[0].rsplit(" ", 2)[-2].strip("<>")
    old_dump.write_bytes(gzip.compress("".join(lines[1:]).encode()))
    record = json.loads((first.folder / names.RELEASE_JSON).read_text())
    record["build"] = "an-older-build"
    (first.folder / names.RELEASE_JSON).write_text(json.dumps(record))
    second = publish(settings, tmp_path, released=date(2026, 12, 3))
    assert second.version == "2026.12.03" and second.previous == first.version
    assert first.folder.is_dir(), "old releases stay available"
    assert (tmp_path / "latest").resolve() == second.folder.resolve()
    data = json.loads((second.folder / names.RELEASE_JSON).read_text())
    assert data["previous_iri"] == str(names.release(first.version))
    assert data["changes"]["graphs"][removed_graph]["added"] == 1
    dcat = Graph().parse(second.folder / names.DCAT_TTL)
    from rdflib import URIRef

    assert dcat.value(names.release(second.version), URIRef(str(DCAT) + "previousVersion")) == names.release(first.version)
    listed = json.loads((tmp_path / "releases" / "index.json").read_text())
    assert [r["version"] for r in listed] == ["2026.12.03", first.version]


def test_failed_publish_leaves_the_last_good_release(built, copy_of_release, tmp_path):
    """A broken table query (no '# title:' header) stops the publish half-way through."""
    root = tmp_path / "repo"
    root.mkdir()
    repo = Path(__file__).resolve().parent.parent
    for part in ("data", "ontology", "shapes", "README.md"):
        (root / part).symlink_to(repo / part)
    (root / "queries").mkdir()
    for query in (repo / "queries").glob("table-*.rq"):
        shutil.copy(query, root / "queries" / query.name)
    settings = Settings(root=root, build_dir=built.folder.parent.parent)
    out, good = copy_of_release  # the session's release, published from this build
    record = json.loads((good.folder / names.RELEASE_JSON).read_text())
    record["build"] = "an-older-build"  # so that the next publish is a new release
    (good.folder / names.RELEASE_JSON).write_text(json.dumps(record))
    before = {p: (good.folder / p).read_bytes() for p in good.files}

    (root / "queries" / "table-broken.rq").write_text("SELECT ?s WHERE { ?s ?p ?o }\n")
    with pytest.raises(PublishError, match="table-broken.rq"):
        publish(settings, out, released=date(2026, 5, 5))
    assert (out / "latest").resolve() == good.folder.resolve()
    assert {p: (good.folder / p).read_bytes() for p in good.files} == before
    assert sorted(p.name for p in (out / "releases").iterdir()) == [good.version, "index.json"]


def test_publish_without_a_build_fails_readably(tmp_path):
    with pytest.raises(PublishError, match="run `neaspec-kg build` first"):
        publish(Settings(build_dir=tmp_path / "nothing"), tmp_path / "dist")


def test_two_publishes_of_the_same_sources_are_byte_identical(built, release, tmp_path):
    """A second publish in a fresh process (another hash seed) gives the same bytes."""
    import os
    import sys

    out = tmp_path / "again"
    code = ("import sys; from datetime import date; from pathlib import Path; from neaspec_kg.settings import Settings; "
            "from neaspec_kg.publish import publish; "
            f"publish(Settings(build_dir=Path({str(built.folder.parent.parent)!r})), Path({str(out)!r}), "
            "released=date(2026, 11, 24))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    other = out / "releases" / release.version
    mine = sorted(release.files)
    assert sorted(str(p.relative_to(other)) for p in other.rglob("*") if p.is_file()) == mine
    different = [p for p in mine if (other / p).read_bytes() != (release.folder / p).read_bytes()]
    assert different == []


# --- 7. persistent identifiers ---------------------------------------------------------------------
def test_redirect_rules_cover_every_iri_pattern(release):
    rules = (release.folder / names.REDIRECTS / ".htaccess").read_text()
    for pattern in ("^sparql$", "^release/([^/]+)/(.+)$", "^(ontology|shapes)$", "^((id|graph)/.+)$",
                    "^(dataset|catalog)$"):
        assert f"RewriteRule {pattern}" in rules
    assert "index.ttl [R=303,L]" in rules and "text/turtle" in rules
    # every target of an id/ rule exists for a real resource of the release
    assert (release.folder / "id" / "meeting" / "som-27" / "index.html").is_file()
    assert (release.folder / "id" / "meeting" / "som-27" / "index.ttl").is_file()
