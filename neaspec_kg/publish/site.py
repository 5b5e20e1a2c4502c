"""The static site: every page the server shows for the graph, as files, with the RDF beside it.

A resource ``{BASE}id/x`` becomes ``id/x/index.html`` with ``index.ttl``, ``index.nt`` and
``index.jsonld`` beside it; a named graph ``{BASE}graph/y`` becomes ``graph/y/index.html``.
As on the server, a session, a State, a programme area and a report paragraph (or a span of
one) get their page for people (neaspec_kg.pages), every other IRI the generic Linked Data
page; ``index.html`` is the home timeline, ``commitments/`` the commitments page with its
filters and CSV (publish.people), ``search.html`` the search (publish.search_page),
``release.html`` the release's downloads. Pages are rendered
by the server's own code and templates; every link is then made relative to the page
(``../../id/z/index.html``), so the site browses from a folder (file://) and from any sub-path
of a web host.
"""

from __future__ import annotations

import gzip
import html
import json
import posixpath
import re
import shutil
from pathlib import Path

import jinja2
import pyoxigraph

from neaspec_kg.namespaces import BASE, PREFIXES
from neaspec_kg.pages import render_resource_page
from neaspec_kg.pages.vocabulary import Vocabulary, load_vocabulary
from neaspec_kg.publish import names
from neaspec_kg.publish.people import RELEASE_PAGE, PeoplePages, copy_assets
from neaspec_kg.publish.search_page import write_search_page
from neaspec_kg.select import store_select

SERVE = Path(__file__).resolve().parent.parent / "serve"
ATTRIBUTE = re.compile(r'(href|src|action)="([^"]*)"')
RDF_FILES = (("ttl", pyoxigraph.RdfFormat.TURTLE), ("nt", pyoxigraph.RdfFormat.N_TRIPLES),
             ("jsonld", pyoxigraph.RdfFormat.JSON_LD))
FILE_SUFFIXES = (".html", ".ttl", ".nt", ".jsonld", ".json", ".md", ".csv", ".css", ".js", ".gz", ".trig",
                 ".htaccess", "SHA256SUMS")
FORMAT_FILES = {"turtle": "index.ttl", "ttl": "index.ttl", "ntriples": "index.nt", "nt": "index.nt",
                "jsonld": "index.jsonld"}


def page_path(iri: str) -> str | None:
    """``{BASE}id/x`` -> ``id/x/index.html``; None for IRIs the site has no page for."""
    if not iri.startswith(BASE):
        return None
    local = iri[len(BASE):].split("#", 1)[0]
    if local.startswith(("id/", "graph/")) and local.rstrip("/") == local and ".." not in local.split("/"):
        return f"{local}/index.html"
    return {"": "index.html", "ontology": "docs/ontology.html", "shapes": "docs/shapes.html"}.get(local)


def resource_iris(store: pyoxigraph.Store) -> list[str]:
    """Every IRI under ``{BASE}id/`` the store describes (as subject), sorted."""
    prefix = f"{BASE}id/"
    found = {q.subject.value.split("#", 1)[0] for q in store
             if isinstance(q.subject, pyoxigraph.NamedNode) and q.subject.value.startswith(prefix)}
    return sorted(found)


def write_site(store: pyoxigraph.Store, folder: Path, info, summary: dict, schema_org: dict,
               search_db: Path, model: dict[str, Vocabulary]) -> list[str]:
    """Every page; ``model``: the ontology and the shapes (``load_model``) for docs/*.html."""
    from neaspec_kg import formats as conneg
    from neaspec_kg.pages.linked_data import LinkedData, as_triples
    from neaspec_kg.store.release import Release

    release = Release(release=summary["release"], store_path=Path("."), graphs=summary["graphs"],
                      triples=summary["triples"])
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([SERVE / "templates"]), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    linked = LinkedData(store, BASE)
    env.globals.update(release=release, base=BASE, local=linked.local_path, quote=lambda s: s, site=True)
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    iris = resource_iris(store)
    pages = {page_path(i) for i in iris} | {page_path(g) for g in summary["graphs"]} | {"index.html", RELEASE_PAGE}
    select = store_select(store)
    people = PeoplePages(select)

    def finish(text: str, path: str) -> str:
        return relative_links(text, path, pages, people)

    written: list[str] = []
    for iri in iris:
        res = linked.describe_with_parts(iri)
        if res is None:
            continue
        path = page_path(iri)
        text = render_resource_page(iri, select, site=True) or env.get_template("resource.html").render(
            res=res, iri=iri, formats=_static_formats(conneg))
        _write(folder / path, finish(text, path).encode("utf-8"))
        triples = as_triples(res.quads)
        for ext, fmt in RDF_FILES:
            rdf = pyoxigraph.serialize(_sorted(triples), format=fmt, prefixes=prefixes if ext != "nt" else None)
            _write(folder / path.replace("index.html", f"index.{ext}"), rdf)
        written.append(path)

    written += _write_graph_pages(env, linked, folder, summary["graphs"], finish, _static_formats(conneg))

    schema_org_json = json.dumps(schema_org, indent=1, ensure_ascii=False).replace("</", "<\\/")
    _write(folder / RELEASE_PAGE, finish(_release_page(env, info, summary, schema_org_json), RELEASE_PAGE).encode())
    _write(folder / "index.html", finish(people.home_page(summary, info, schema_org_json), "index.html").encode())
    written += people.write_commitments(folder, finish)
    written += write_search_page(folder, search_db, finish, store)
    written += write_model_pages(env, folder, model, finish)
    copy_assets(folder)
    return written


def _write_graph_pages(env: jinja2.Environment, linked, folder: Path, graphs: dict[str, int], finish,
                       formats: list) -> list[str]:
    """graph/y/index.html for each named graph (its first subjects), the graph's dumps beside it."""
    written = []
    for graph_iri, size in graphs.items():
        path = page_path(graph_iri)
        subjects = {}
        for q in linked.graph_quads(graph_iri, 2000):
            subjects.setdefault(q.subject.value, q.subject)
        listed = sorted((linked.label(s), v) for v, s in list(subjects.items())[:500])
        text = env.get_template("graph.html").render(iri=graph_iri, size=size, subjects=listed,
                                                     formats=formats)
        _write(folder / path, finish(text, path).encode("utf-8"))
        for ext, dump in (("ttl", "ttl"), ("jsonld", "jsonld")):
            shutil.copyfile(folder / names.graph_dump(graph_iri, dump),
                            folder / path.replace("index.html", f"index.{ext}"))
        nt = gzip.decompress((folder / names.graph_dump(graph_iri, "nt.gz")).read_bytes())
        _write(folder / path.replace("index.html", "index.nt"), nt)
        written.append(path)
    return written


def load_model(ontology_dir: Path, shapes_dir: Path) -> dict[str, Vocabulary]:
    """The ontology and the shapes, read once for a release: its docs pages and its notes."""
    model = {}
    for kind, source in (("ontology", ontology_dir), ("shapes", shapes_dir)):
        model[kind] = load_vocabulary(BASE + kind, source)
        if model[kind] is None:
            raise ValueError(f"{source}: no Turtle file to document the {kind} from")
    return model


def write_model_pages(env: jinja2.Environment, folder: Path, model: dict[str, Vocabulary], finish) -> list[str]:
    """docs/ontology.html and docs/shapes.html: the server's /ontology and /shapes pages, with the
    Turtle of docs/ beside them (publish.docs)."""
    written = []
    for kind, template in (("ontology", "vocabulary.html"), ("shapes", "shapes.html")):
        path = page_path(BASE + kind)
        text = env.get_template(template).render(vocab=model[kind], downloads=[("Turtle", f"{kind}.ttl")])
        _write(folder / path, finish(text, path).encode("utf-8"))
        written.append(path)
    return written


def _static_formats(conneg) -> list:
    """The RDF formats a static page has beside it (a subset of the server's)."""
    return [f for f in conneg.GRAPH_FORMATS if f.key in FORMAT_FILES]


def _sorted(triples) -> list:
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def relative_links(text: str, page: str, pages: set[str], site: PeoplePages | None = None) -> str:
    """Rewrite the server's root-relative links (``/id/x``, ``?format=ttl``, ``/assets/…``)
    into links relative to ``page``; ``site`` gives the files of site-level paths
    (``/commitments?…``); links to pages the site lacks go to the public IRI."""
    here = posixpath.dirname(page)

    def rel(target: str) -> str:
        return posixpath.relpath(target, here or ".")

    def rewrite(match: re.Match) -> str:
        attr, value = match.group(1), html.unescape(match.group(2))
        if value == "None":
            # the server's template links a source even when it is a literal (no IRI, no page):
            # no link rather than a broken one, until serve/templates/resource.html checks s.href
            return ""
        if value.startswith("?format="):
            name = FORMAT_FILES.get(value.split("=", 1)[1])
            return f'{attr}="{rel(posixpath.join(here, name))}"' if name else f'{attr}="{html.escape(value)}"'
        if not value.startswith("/") or value.startswith("//"):
            return match.group(0)
        path, _, fragment = value.partition("#")
        fragment = "#" + fragment if fragment else ""
        route, _, query = path.partition("?")
        if site is not None and (target := site.target(route, query)) is not None:
            return f'{attr}="{html.escape(rel(target) + fragment)}"'
        if path.endswith(FILE_SUFFIXES):
            target = path.lstrip("/")  # a file of the release (a page, dumps, metadata, static ...)
        else:
            target = page_path(BASE + path.lstrip("/").split("?", 1)[0])
            if target is not None and target not in pages and not target.startswith("docs/"):
                target = None
        if target is None:
            absolute = BASE + value.lstrip("/")
            return f'{attr}="{html.escape(absolute)}"'
        return f'{attr}="{html.escape(rel(target) + fragment)}"'

    return ATTRIBUTE.sub(rewrite, text)


def _release_page(env: jinja2.Environment, info, summary: dict, schema_org_json: str) -> str:
    own = jinja2.Environment(loader=jinja2.FileSystemLoader([Path(__file__).parent / "templates", SERVE / "templates"]),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    own.globals.update(env.globals)
    return own.get_template("release_home.html").render(
        info=info, summary=summary, graphs=sorted(summary["graphs"].items()),
        schema_org=schema_org_json,
        page_path=page_path, names=names,
    )


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
