"""LinkedData.describe_with_parts on a small store: the hash parts of a resource, bounded."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad, Store

from neaspec_kg.pages.linked_data import MAX_PARTS, LinkedData

BASE = "https://example.org/"
GRAPH = NamedNode(BASE + "graph/g")
HAS = NamedNode(BASE + "has")
VALUE = NamedNode(BASE + "value")


def _linked(parts: int) -> LinkedData:
    store, doc = Store(), BASE + "id/doc"
    for i in range(parts):
        part = NamedNode(f"{doc}#p{i}")
        store.add(Quad(NamedNode(doc), HAS, part, GRAPH))
        store.add(Quad(part, VALUE, Literal(str(i)), GRAPH))
    return LinkedData(store, BASE)


def test_every_part_within_the_bound_is_described():
    res = _linked(3).describe_with_parts(BASE + "id/doc")
    assert [p.iri.rsplit("#", 1)[1] for p in res.parts] == ["p0", "p1", "p2"]
    assert sum(1 for q in res.quads if q.predicate == VALUE) == 3
    assert not res.truncated


def test_parts_past_the_bound_are_said_to_be_left_off():
    res = _linked(MAX_PARTS + 5).describe_with_parts(BASE + "id/doc")
    assert len(res.parts) == MAX_PARTS
    assert sum(1 for q in res.quads if q.predicate == VALUE) == MAX_PARTS
    assert res.truncated  # the page says only the first links are shown


def test_a_part_linking_back_is_in_the_quads_once():
    """``doc#p0 partOf doc`` is an incoming link of ``doc`` and a statement of its part: one quad."""
    linked = _linked(1)
    back = Quad(NamedNode(BASE + "id/doc#p0"), NamedNode(BASE + "partOf"), NamedNode(BASE + "id/doc"), GRAPH)
    linked.store.add(back)
    res = linked.describe_with_parts(BASE + "id/doc")
    assert res.quads.count(back) == 1
