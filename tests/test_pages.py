"""The pages for people over the built graph of the repository's data (what SOM-27's report states)."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode

from neaspec_kg.namespaces import BASE
from neaspec_kg.pages import pages_router, render_resource_page
from neaspec_kg.pages.area import area_page
from neaspec_kg.pages.country import state_page
from neaspec_kg.pages.home import commitments, filter_commitments, home
from neaspec_kg.pages.model import notation_key, run, value
from neaspec_kg.pages.session import session_page
from neaspec_kg.select import store_select

SOM27 = BASE + "id/meeting/som-27"
MONGOLIA = BASE + "id/state/mn"
BIODIVERSITY = BASE + "id/concept/programme-area/biodiversity-nature-conservation"


@pytest.fixture(scope="module")
def select(store):
    return store_select(store)


@pytest.fixture(scope="module")
def client(select, built):
    app = FastAPI()
    app.include_router(pages_router(select, built.folder / "search.sqlite"))
    return TestClient(app)


def test_terms_become_plain_values():
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert value(Literal("2030", datatype=NamedNode(xsd + "gYear"))) == 2030
    assert value(Literal("13.3", datatype=NamedNode(xsd + "decimal"))) == 13.3
    assert value(Literal("abc", datatype=NamedNode(xsd + "integer"))) == "abc"  # shown as written
    assert value(Literal("2024-12-12", datatype=NamedNode(xsd + "date"))).year == 2024


def test_agenda_notations_sort_as_numbers():
    assert sorted(["10", "2", "5 (b)", "5", "5 (a)", "1 (a)", "1"], key=notation_key) == \
        ["1", "1 (a)", "2", "5", "5 (a)", "5 (b)", "10"]


def test_a_page_query_refuses_an_iri_that_would_change_the_query(select):
    with pytest.raises(ValueError, match="not an IRI"):
        run(select, "session", SOM27 + "> } SELECT * { ?s ?p ?o")


def test_home_lists_the_sessions_in_order_with_what_the_graph_holds(select):
    data = home(select)
    numbers = [s.number for s in data.sessions]
    assert numbers == sorted(numbers)
    som27 = next(s for s in data.sessions if s.number == 27)
    assert som27.has_report and som27.place == "Beijing" and som27.host.label == "China"
    assert som27.link.href == "/id/meeting/som-27"
    assert {"Mongolia", "Russian Federation"} <= {s.label for s in data.states}
    assert "Air Pollution" in {a.label for a, _ in data.areas}


def test_session_page_officers_agenda_decisions(select):
    page = session_page(select, SOM27)
    assert page.commitments and {c.session.label for c in page.commitments} == {"SOM-27"}
    chair = next(o for o in page.officers if o.extra["role"] == "Chair")
    assert chair.extra["name"] == "ZHOU Jun" and chair.extra["state"].label == "China"
    assert chair.source.startswith("/id/meeting/som-27/report/en/para/15/span/")
    notations = [a.notation for a in page.agenda]
    assert notations.index("2") < notations.index("5") < notations.index("5 (a)") < notations.index("10")
    areas = {a.label if a else None: items for a, items in page.decisions}
    assert any(d.extra["verb"] == "welcomed" and "air pollution" in d.extra["object"] for d in areas["Air Pollution"])
    assert all(d.source for items in areas.values() for d in items), "every decision links to its span"
    assert {s.label for s, _ in page.statements if s} >= {"Mongolia", "Japan"}
    assert any(p.extra["host"] and p.extra["host"].label == "Mongolia" for p in page.plans)


def test_the_source_span_is_highlighted_in_its_paragraph(select, store):
    page = session_page(select, SOM27)
    chair = next(o for o in page.officers if o.extra["role"] == "Chair")
    html = render_resource_page(BASE + chair.source[1:], select)
    marked = re.search(r'<mark id="span">(.*?)</mark>', html, re.S).group(1)
    assert "ZHOU Jun" in marked
    start, end = map(int, chair.source.rsplit("/", 1)[1].split("-"))
    text = next(iter(store.query(
        f"SELECT ?t WHERE {{ <{BASE}id/meeting/som-27/report/en/para/15> <http://schema.org/text> ?t }}")))["t"].value
    assert marked == text[start:end].replace("'", "&#39;").replace('"', "&#34;")


def test_session_page_html_and_generic_iris(select):
    html = render_resource_page(SOM27, select)
    assert "<h1>SOM-27: Senior Officials Meeting 27</h1>" in html
    assert "ZHOU Jun" in html and 'href="/id/state/cn"' in html
    assert "Full report already held by project" not in html, "curation notes stay off the page"
    assert render_resource_page(SOM27 + "/decision/3-1", select) is None, "other IRIs keep the generic page"


def test_state_page_commitments_and_sdg_targets(select):
    page = state_page(select, MONGOLIA)
    assert page.name == "Mongolia"
    assert page.commitments and {c.state.label for c in page.commitments} == {"Mongolia"}
    protected = [c for c in page.commitments if c.measure == "Protected area"]
    assert protected and protected[0].value == 30 and protected[0].unit == "percent" and protected[0].year == 2030
    assert "15.1" in {t.label for t, _ in page.sdg_targets}
    assert any(s.link.label == "SOM-27" and s.attended for s in page.sessions)
    assert any(o.text.startswith("Rapporteur of SOM-27") for o in page.offices)


def test_programme_area_page_projects_funders_species(select):
    page = area_page(select, BIODIVERSITY)
    project = next(p for p in page.projects if "Migratory Birds" in p.link.label)
    assert "Russian Federation" in {f.label for f in project.funders}
    assert any("Platalea minor" in s.label for s in project.species)
    sessions = [s.label for s, *_ in page.decisions]
    assert "SOM-27" in sessions and len(sessions) == len(set(sessions))


def test_commitments_filters(select):
    every = commitments(select)
    assert {c.is_progress for c in every} == {True, False}
    sdg13 = filter_commitments(every, sdg="13")
    assert sdg13 and all(any(t.label.startswith("13.") for t in c.sdg_targets) for c in sdg13)
    assert filter_commitments(every, state="Mongolia", sdg="15.1")[0].measure == "Protected area"


def test_routes_home_commitments_csv_search(client):
    assert "SOM-27" in client.get("/").text
    page = client.get("/commitments", params={"state": "Republic of Korea"}).text
    assert "Climate finance" in page and "Mongolia</td>" not in page
    rows = list(csv.DictReader(io.StringIO(client.get("/commitments.csv", params={"sdg": "13"}).text)))
    assert rows and all("13." in r["sdg_targets"] for r in rows)
    assert {"state", "measure", "value", "unit", "year", "kind"} <= set(rows[0])
    found = client.get("/api/search", params={"q": "spoonbill", "kind": "decision"}).json()
    assert found["total"] >= 1 and all(h["kind"] == "decision" for h in found["hits"])
    assert found["hits"][0]["page"].startswith("/id/meeting/som-27/report/en/para/")
    html = client.get("/search", params={"q": "spoonbill"}).text
    assert "<mark>" in html and "Narrow down" in html
    assert client.get("/api/search", params={"q": "x", "limit": "many"}).status_code == 400
    assert client.get("/assets/pages.css").status_code == 200
    assert client.get("/assets/../router.py").status_code == 404


def test_state_names_follow_accept_language_with_english_fallback(client, select):
    """The UN's Chinese and Russian names (vocab/country-names.csv) on the State pages, the session
    pages, the home page and the commitments page; the page stays English, each name carries its lang."""
    home_zh = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert home_zh.headers["content-language"] == "zh" and "Accept-Language" in home_zh.headers["vary"]
    assert '<html lang="en">' in home_zh.text
    assert '<a href="/id/state/mn" lang="zh">蒙古国</a>' in home_zh.text
    assert '<a href="/id/state/mn">Mongolia</a>' in client.get("/").text
    # a language the sources give no names in: English
    assert '<a href="/id/state/mn">Mongolia</a>' in client.get("/", headers={"Accept-Language": "de"}).text
    commitments_ru = client.get("/commitments", headers={"Accept-Language": "ru"}).text
    assert 'lang="ru">Монголия</a>' in commitments_ru
    assert '<option value="Mongolia" lang="ru">Монголия</option>' in commitments_ru, "filter values: English"
    session = render_resource_page(SOM27, select, "zh")
    chair_row = next(r for r in re.findall(r"<tr>.*?</tr>", session, re.S) if "ZHOU Jun" in r)
    assert '<a href="/id/state/cn" lang="zh">中华人民共和国</a>' in chair_row
    state = render_resource_page(MONGOLIA, select, "ru")
    assert '<h1><span lang="ru">Монголия</span></h1>' in state and '<html lang="en">' in state
    assert "<h1>Mongolia</h1>" in render_resource_page(MONGOLIA, select, "en")


def test_search_page_names_follow_accept_language_with_english_fallback(client):
    """On /search, a hit that is a State and the values of the country facet carry the reader's
    name for them; the facet links keep the English value the index holds; English otherwise."""
    ru = client.get("/search", params={"q": "Mongolia"}, headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert ru.headers["content-language"] == "ru" and "Accept-Language" in ru.headers["vary"]
    assert '<a class="hit" href="/id/state/mn" lang="ru">Монголия</a>' in ru.text
    assert '<a href="/search?q=Mongolia&amp;country=Mongolia" lang="ru">Монголия</a>' in ru.text
    chosen = client.get("/search", params={"q": "Mongolia", "country": "Mongolia"}, headers={"Accept-Language": "zh"})
    assert '<strong lang="zh">蒙古国</strong>' in chosen.text
    for header in ({}, {"Accept-Language": "de"}):
        english = client.get("/search", params={"q": "Mongolia"}, headers=header).text
        assert '<a class="hit" href="/id/state/mn">Mongolia</a>' in english and "Монголия" not in english


def test_the_search_page_links_the_results_before_and_after_those_shown(client):
    first = client.get("/search", params={"q": "air pollution", "limit": "2"}).text
    assert 'rel="prev"' not in first and "the first 2 shown" in first
    after = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    second = client.get(after).text
    assert "3–4 shown" in second and '<ol start="3">' in second and 'rel="prev"' in second
    shown = client.get("/api/search", params={"q": "air pollution", "limit": "2", "offset": "2"}).json()
    assert shown["offset"] == 2 and all(f'href="{h["page"]}"' in second for h in shown["hits"])


def test_an_offset_past_the_last_result_shows_none_and_leads_back(client):
    page = client.get("/search", params={"q": "air pollution", "offset": "100000"}).text
    assert re.search(r'<h2 id="h-hits">\d+ results</h2>', page), "no range of hits that are not shown"
    assert 'rel="next"' not in page
    back = re.search(r'<a href="([^"]+)" rel="prev">', page).group(1).replace("&amp;", "&")
    total = client.get("/api/search", params={"q": "air pollution"}).json()["total"]
    assert parse_qs(urlsplit(back).query)["offset"] == [str(total - 20)], "back to the last page, not to another empty one"


@pytest.mark.parametrize("limit, step", [("-1", 1), ("0", 1), ("100000", 200)])
def test_the_previous_results_are_a_page_of_the_limit_the_search_used(client, limit, step):
    """A limit out of range is read as the nearest one allowed (1..200); the link back goes one page of
    that size back, not 20 (which skipped hits that were never shown)."""
    page = client.get("/search", params={"q": "air pollution", "limit": limit, "offset": "5"}).text
    back = re.search(r'<a href="([^"]+)" rel="prev">', page).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(back).query).get("offset", ["0"]) == [str(max(0, 5 - step))]
    shown = client.get("/api/search", params={"q": "air pollution", "limit": limit, "offset": "5"}).json()
    assert shown["limit"] == step and len(shown["hits"]) == min(step, shown["total"] - 5)
