"""The full-text index the build writes next to the store (SQLite FTS5): ranking, snippets, facets."""

from __future__ import annotations

import pytest

from neaspec_kg.search import SearchError, build_search_index, match_expression, search


@pytest.fixture(scope="module")
def index(built):
    path = built.folder / "search.sqlite"
    assert path.exists(), "the build writes search.sqlite next to the store"
    return path


def test_words_are_quoted_so_operators_typed_by_a_user_are_plain_words():
    assert match_expression('air "pollution" OR NEAR(') == '"air" "pollution" "OR" "NEAR"*'
    assert match_expression("  ;; ") == ""


def test_a_word_finds_stemmed_forms_with_highlighted_snippets(index):
    result = search(index, "spoonbill")
    assert result.total >= 2
    snippets = " ".join(h.snippet_html for h in result.hits)
    # "Spoonbills" in paragraph 4 of SOM-27 is found by the singular (Porter stemmer).
    assert "<mark>Spoonbills</mark>" in snippets or "<mark>spoonbills</mark>" in snippets
    assert all("<mark>" in h.snippet_html for h in result.hits)


def test_snippets_are_escaped_html(index):
    result = search(index, "Japan support spoonbill action plan")
    assert result.hits
    for hit in result.hits:
        assert "<" not in hit.snippet_html.replace("<mark>", "").replace("</mark>", "")


def test_facets_count_and_filter(index):
    everything = search(index, "air pollution", limit=200)
    kinds = dict(everything.facets["kind"])
    assert kinds.get("decision", 0) >= 2 and kinds.get("report paragraph", 0) >= 1
    assert "SOM-27" in dict(everything.facets["session"])
    decisions = search(index, "air pollution", {"kind": "decision", "session": "SOM-27"}, limit=200)
    expected = [h.iri for h in everything.hits if h.kind == "decision" and "SOM-27" in h.facets.get("session", [])]
    assert sorted(h.iri for h in decisions.hits) == sorted(expected)
    assert decisions.total == len(expected) and dict(decisions.facets["kind"]) == {"decision": len(expected)}
    assert decisions.hits and all(h.kind == "decision" and h.facets["session"] == ["SOM-27"] for h in decisions.hits)
    # Decisions link to the span of their paragraph that states them.
    assert all("/report/en/para/" in h.link and "/span/" in h.link for h in decisions.hits)


def test_country_facet_reaches_paragraphs_through_what_was_read_from_them(index):
    # SOM-27 paragraph 59: Mongolia's remark on Ulaanbaatar's cold weather in November.
    result = search(index, "cold weather", {"country": "Mongolia"}, limit=50)
    assert result.hits
    assert any(h.kind == "report paragraph" for h in result.hits)
    assert all("Mongolia" in h.facets["country"] for h in result.hits)


def test_titles_rank_above_passing_mentions(index):
    hits = search(index, "air pollution").hits
    assert hits[0].kind in ("programme area", "agenda item")


def test_hashes_and_sdg_link_comments_are_not_indexed(index, store):
    import sqlite3
    con = sqlite3.connect(index)
    bodies = " ".join(t + " " + b for (t, b) in con.execute("SELECT title, body FROM fts"))
    con.close()
    internal = [s["v"].value for s in store.query(
        "SELECT ?v WHERE { { ?x <https://w3id.org/neaspec/ontology#sha256> ?v } UNION "
        "{ ?x a <https://w3id.org/neaspec/ontology#SdgLink> ; <http://www.w3.org/2000/01/rdf-schema#comment> ?v } }")]
    assert len(internal) > 10
    assert not [v for v in internal if v in bodies]


def test_bad_input_is_a_clear_error(index, tmp_path):
    with pytest.raises(SearchError, match="unknown facet 'colour'"):
        search(index, "air", {"colour": "red"})
    with pytest.raises(SearchError, match="no search index"):
        search(tmp_path / "none.sqlite", "air")
    assert search(index, "!!!").total == 0


def test_the_index_builds_from_nquads_as_from_the_store(built, tmp_path):
    n = build_search_index(built.folder / "dataset.nq", tmp_path / "s.sqlite")
    m = build_search_index(built.folder / "store", tmp_path / "t.sqlite")
    assert n == m > 100
    assert search(tmp_path / "s.sqlite", "spoonbill").total == search(tmp_path / "t.sqlite", "spoonbill").total


def test_an_offset_pages_through_the_ranked_hits(index):
    every = search(index, "air pollution", limit=200)
    assert every.total > 5
    page = search(index, "air pollution", limit=3, offset=2)
    assert page.total == every.total and page.offset == 2
    assert [h.iri for h in page.hits] == [h.iri for h in every.hits[2:5]]
    assert search(index, "air pollution", offset=every.total).hits == []
