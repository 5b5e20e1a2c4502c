"""Which engine answers a query in a web process, and what cost it leaves on record
(neaspec_kg.serve.workers.QueryRunner), on a real store with both engines; no worker process is
started, so every answer here comes from this process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neaspec_kg.serve.engine import QueryJob
from neaspec_kg.serve.testing import prepare_site
from neaspec_kg.serve.workers import QueryRunner, _cost_key
from neaspec_kg.vector import VectorEngine

FIXTURES = Path(__file__).parent / "fixtures"
ASK = "ASK { ?s a ?type ; ?p ?o }"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    env = prepare_site(tmp_path_factory.mktemp("site"), [FIXTURES / "server_dataset.trig"])
    return Path(env["NEASPEC_KG_BUILD_DIR"]) / "current" / "store"


@pytest.fixture
def runner(store_path):
    from pyoxigraph import Store

    from neaspec_kg.serve.engine import known_graphs_of

    store = Store.read_only(str(store_path))
    return QueryRunner(None, VectorEngine.open(store_path, "columnar"), known_graphs_of(store), store=store)


def _answers(runner: QueryRunner, job: QueryJob, times: int) -> tuple[int, int]:
    """(columnar answers, oxigraph answers) over ``times`` runs, each checked to be the same answer."""
    columnar_before = runner.columnar.answered
    bodies = {runner.run_here(job).body for _ in range(times)}
    assert len(bodies) == 1 and json.loads(bodies.pop())["boolean"] is True
    by_columnar = runner.columnar.answered - columnar_before
    return by_columnar, times - by_columnar


def test_a_first_answer_that_paid_for_planning_leaves_no_cost(runner):
    job = QueryJob(ASK, format="json")
    key = _cost_key(job)
    assert _answers(runner, job, 1) == (1, 0)
    assert key not in runner._costs, "the first answer also parsed and planned the query"
    assert _answers(runner, job, 1) == (1, 0)
    assert 0 < runner._costs[key] < 1


def test_oxigraph_answers_when_it_was_measured_faster(runner):
    job = QueryJob(ASK, format="json")
    key = _cost_key(job)
    _answers(runner, job, 2)  # planned, then a cost on record
    runner._costs[key], runner._oxigraph_costs[key] = 0.010, 0.001  # oxigraph ten times faster: no remeasuring
    assert _answers(runner, job, 3 * QueryRunner.REMEASURE) == (0, 3 * QueryRunner.REMEASURE)
    runner._costs[key], runner._oxigraph_costs[key] = 0.001, 0.010
    assert _answers(runner, job, 3 * QueryRunner.REMEASURE) == (3 * QueryRunner.REMEASURE, 0)


def test_close_costs_are_measured_again_now_and_then(runner):
    """A cost measured cold (oxigraph's first answer in a fresh worker) is corrected: when the two
    costs are within CLOSE of each other, every REMEASURE-th run goes to the other engine."""
    job = QueryJob(ASK, format="json")
    key = _cost_key(job)
    _answers(runner, job, 2)
    runner.CLOSE = float("inf")  # whatever the timings of this machine: the costs count as close
    planted = 10 * runner._costs[key]  # oxigraph "slower"
    runner._oxigraph_costs[key] = planted
    assert _answers(runner, job, QueryRunner.REMEASURE) == (QueryRunner.REMEASURE - 1, 1)
    assert runner._oxigraph_costs[key] != planted, "oxigraph's run put its real cost on record"


def test_without_a_columnar_cost_the_columnar_engine_goes_first(runner):
    job = QueryJob(ASK, format="json")
    runner._oxigraph_costs[_cost_key(job)] = 0.0
    assert _answers(runner, job, 2) == (2, 0)
