"""Which engine answers a query in a web process, and what cost it leaves on record
(neaspec_kg.serve.workers.QueryRunner), on a real store with both engines; no worker process is
started, so every answer here comes from this process. The choice is tested on planted costs
(the decision itself); the runs that follow it are counted, not timed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest

from neaspec_kg.serve.engine import QueryJob
from neaspec_kg.serve.testing import prepare_site
from neaspec_kg.serve.workers import QueryRunner, _cost_key
from neaspec_kg.vector import VectorEngine

FIXTURES = Path(__file__).parent / "fixtures"
ASK = "ASK { ?s a ?type ; ?p ?o }"
SELECT = "SELECT ?s WHERE { ?s a ?type } ORDER BY ?s"


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


def _planted(runner: QueryRunner, query: str, columnar: float, oxigraph: float) -> tuple[QueryJob, bytes]:
    job = QueryJob(query, format="json")
    runner.run_here(job)  # planned: the engine now knows what the query is
    key = _cost_key(job)
    runner._costs[key], runner._oxigraph_costs[key] = columnar, oxigraph
    return job, key


def _choices(runner: QueryRunner, job: QueryJob, key: bytes, runs: int) -> list[bool]:
    """The engine chosen first (True: columnar) for ``runs`` runs, the costs left as planted."""
    return [runner._columnar_first(key, job) for _ in range(runs)]


def test_a_first_answer_that_paid_for_planning_leaves_no_cost(runner):
    job = QueryJob(ASK, format="json")
    key = _cost_key(job)
    before = runner.columnar.answered
    runner.run_here(job)
    assert runner.columnar.answered == before + 1 and key not in runner._costs, "it also parsed and planned"
    runner.run_here(job)
    assert runner.columnar.answered == before + 2 and 0 < runner._costs[key] < 1


def test_oxigraph_goes_first_for_an_ask_it_answered_faster(runner):
    job, key = _planted(runner, ASK, columnar=0.010, oxigraph=0.001)  # ten times or more: never remeasured
    assert _choices(runner, job, key, 200) == [False] * 200
    runner._costs[key], runner._oxigraph_costs[key] = 0.001, 0.010
    assert _choices(runner, job, key, 200) == [True] * 200


def test_a_select_stays_with_the_columnar_engine_whatever_the_costs(runner):
    """Rows without ORDER BY, SAMPLE, GROUP_CONCAT: the engines may answer a SELECT differently."""
    job, key = _planted(runner, SELECT, columnar=0.010, oxigraph=0.001)
    assert _choices(runner, job, key, 50) == [True] * 50


@pytest.mark.parametrize("query", [
    "ASK { ?s <https://w3id.org/neaspec/ontology#partOf>* ?o }",  # zero-length path: oxigraph 0.5.13 differs
    "ASK { { SELECT ?s WHERE { ?s a ?t } LIMIT 1 } FILTER(isIRI(?s)) }",  # which row a subquery keeps
    "ASK { { SELECT (GROUP_CONCAT(?t) AS ?all) WHERE { ?s a ?t } } FILTER(STRLEN(?all) > 0) }",
])
def test_an_ask_whose_answer_may_differ_stays_with_the_columnar_engine(runner, query):
    job, key = _planted(runner, query, columnar=0.010, oxigraph=0.001)
    assert runner.columnar.has_plan(query) and not runner.columnar.interchangeable(query)
    assert _choices(runner, job, key, 20) == [True] * 20


def test_close_costs_are_measured_again_ever_more_rarely(runner):
    """Within CLOSE of each other, the other engine gets the REMEASURE-th run, then one after
    twice as many runs, and so on: a cold first measure is corrected at a vanishing cost."""
    job, key = _planted(runner, ASK, columnar=0.001, oxigraph=0.002)
    every = QueryRunner.REMEASURE
    choices = _choices(runner, job, key, every + 2 * every + 4 * every)
    others = [i + 1 for i, first in enumerate(choices) if not first]
    assert others == [every, every + 2 * every, every + 2 * every + 4 * every]


def test_the_chosen_engine_answers_and_its_cost_is_measured_again(runner, monkeypatch):
    job, key = _planted(runner, ASK, columnar=0.5, oxigraph=0.4)  # oxigraph "faster", both far too slow
    before = runner.columnar.answered
    body = runner.run_here(job).body
    assert json.loads(body)["boolean"] is True
    assert runner.columnar.answered == before, "oxigraph answered"
    assert runner._oxigraph_costs[key] < 0.4, "with its cost measured again, in this process"
    runner._costs[key] = 0.0  # the columnar engine now the faster
    assert runner.run_here(job).body == body and runner.columnar.answered == before + 1


def test_without_a_columnar_cost_the_columnar_engine_goes_first(runner):
    job = QueryJob(ASK, format="json")
    runner._oxigraph_costs[_cost_key(job)] = 0.0
    before = runner.columnar.answered
    runner.run_here(job)
    runner.run_here(job)
    assert runner.columnar.answered == before + 2


def test_a_cheap_ask_is_timed_once_in_oxigraph_here(runner):
    """Else a query the columnar engine answers would keep only its cold first cost (a worker's,
    or none in columnar mode) and oxigraph would never be chosen."""
    job = QueryJob(ASK, format="json")
    key = _cost_key(job)
    first = runner.run_here(job).body
    runner._costs[key] = 0.001  # the columnar engine answered it, cheaply
    runner._oxigraph_costs[key] = 0.5  # as a cold worker might have
    before = runner.columnar.answered
    assert runner.run_here(job).body == first
    assert runner.columnar.answered == before and runner._oxigraph_costs[key] < 0.5, "timed again, here"
    runner._costs[key], runner._oxigraph_costs[key] = 0.001, 0.5
    runner.run_here(job)
    assert runner.columnar.answered == before + 1, "once only"


@pytest.mark.parametrize("query, columnar", [(SELECT, 0.001), (ASK, 0.5)])
def test_no_oxigraph_timing_for_a_select_or_a_costly_ask(runner, query, columnar):
    job = QueryJob(query, format="json")
    key = _cost_key(job)
    runner.run_here(job)
    runner._costs[key] = columnar
    before = runner.columnar.answered
    runner.run_here(job)
    assert runner.columnar.answered == before + 1 and key not in runner._oxigraph_costs


def _with_pool(store_path: Path, workers: int, scenario) -> None:
    """``scenario(runner, pool, job, key, first)`` with a real pool of ``workers`` worker processes,
    the ASK planned and known cheap in the columnar engine (``first``: its answer), no cost of
    oxigraph's known."""
    from pyoxigraph import Store

    from neaspec_kg.serve.engine import known_graphs_of
    from neaspec_kg.serve.workers import WorkerPool

    async def run() -> None:
        store = Store.read_only(str(store_path))
        pool = WorkerPool(store_path, workers)
        await pool.start()
        runner = QueryRunner(pool, VectorEngine.open(store_path, "columnar"), known_graphs_of(store), store=store)
        try:
            job = QueryJob(ASK, format="json")
            first = await runner.run(job, 10)  # planned
            assert runner.columnar.answered == 1 and pool.answered == 0, "the columnar engine answered"
            key = _cost_key(job)
            runner._costs[key] = 0.001
            await scenario(runner, pool, job, key, first.body)
        finally:
            await runner.close()

    asyncio.run(run())


def test_a_worker_times_oxigraph_first_then_this_process(store_path):
    """With no cost of oxigraph's known, a worker (which can be stopped) answers first; the
    next run is timed in this process."""
    async def scenario(runner, pool, job, key, first):
        assert (await runner.run(job, 10)).body == first
        assert pool.answered == 1 and key in runner._oxigraph_costs and key not in runner._timed_here
        runner._oxigraph_costs[key] = 0.001  # the worker's cost, known cheap
        columnar = runner.columnar.answered
        assert (await runner.run(job, 10)).body == first
        assert pool.answered == 1 and runner.columnar.answered == columnar and key in runner._timed_here

    _with_pool(store_path, 1, scenario)


def _stop(pool) -> list[int]:
    """Freeze every worker process (SIGSTOP): each one idle to the pool, none answering."""
    pids = [w.process.pid for w in pool._all]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    return pids


def test_no_request_waits_for_a_worker_to_time_oxigraph(store_path):
    """With every worker busy, the columnar engine answers at once; the timing is left for later."""
    async def scenario(runner, pool, job, key, first):
        busy = pool._idle.get_nowait()  # the one worker, taken by another query
        started = time.monotonic()
        answer = await runner.run(job, 10)
        assert answer.body == first and time.monotonic() - started < runner.MEASURE_LIMIT_S * 0.8
        assert key not in runner._oxigraph_costs and key not in runner._timed_here, "timed another time"
        pool._idle.put_nowait(busy)
        answered = pool.answered
        assert (await runner.run(job, 10)).body == first
        assert pool.answered == answered + 1 and key in runner._oxigraph_costs

    _with_pool(store_path, 1, scenario)


def test_a_timing_stopped_at_its_limit_is_no_killed_query_and_is_not_repeated(store_path):
    async def scenario(runner, pool, job, key, first):
        (frozen,) = _stop(pool)
        answer = await runner.run(job, 10)
        assert answer.body == first, "the columnar engine answers"
        assert pool.killed == 0, "no client's query was stopped (health's killed_queries)"
        assert frozen not in {w.process.pid for w in pool._all}, "the frozen worker was replaced"
        assert runner._oxigraph_costs[key] == float("inf") and key in runner._timed_here
        _stop(pool)  # its replacement, once it is up: no request may time oxigraph on it again
        columnar = runner.columnar.answered
        assert (await runner.run(job, 10)).body == first
        assert runner.columnar.answered == columnar + 1 and pool.killed == 0

    _with_pool(store_path, 1, scenario)


def test_one_timing_at_a_time_per_query(store_path):
    """Two requests for the same new query: one of them times oxigraph, the other does not take
    the second worker for the same timing."""
    async def scenario(runner, pool, job, key, first):
        frozen = set(_stop(pool))
        answers = await asyncio.gather(runner.run(job, 10), runner.run(job, 10))
        assert [a.body for a in answers] == [first, first]
        left = frozen & {w.process.pid for w in pool._all}
        assert len(left) == 1, "one worker was given the timing and replaced; the other was left alone"
        for pid in left:  # let it go, so that closing the pool is ordinary
            os.kill(pid, signal.SIGCONT)

    _with_pool(store_path, 2, scenario)


def test_a_request_with_little_time_left_does_not_time_oxigraph(store_path):
    async def scenario(runner, pool, job, key, first):
        answered = pool.answered
        answer = await runner.run(job, runner.MEASURE_LEFT_S / 2)
        assert answer.body == first and pool.answered == answered and key not in runner._oxigraph_costs
        assert (await runner.run(job, 10)).body == first and pool.answered == answered + 1

    _with_pool(store_path, 1, scenario)
