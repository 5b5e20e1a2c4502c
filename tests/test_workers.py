"""The query worker pool: a job waits for a busy worker and is answered when one frees up, a
wait has its limit, a query past its limit or given up by its caller ends its worker (and a
new one takes its place), and a retired pool answers what was queued before it stops.

Real worker processes over a fixture release; no wall-clock assertion: a query that must still
be running is one that cannot finish (a four-way cross product), stopped by the test.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
from pathlib import Path

import pytest

from neaspec_kg.errors import Busy
from neaspec_kg.serve.testing import make_build
from neaspec_kg.store.answer import QueryJob
from neaspec_kg.store.workers import BACKOFF_MAX_S, JobTimeout, WorkerEnded, Workers

FIXTURES = Path(__file__).parent / "fixtures"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIMIT_S = 60  # the time limit of jobs that must not reach it


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    return str(make_build([FIXTURES / "server_dataset.trig"], tmp_path_factory.mktemp("pool")) / "store")


def _on_pool(store: str, size: int, test) -> None:
    async def main():
        pool = Workers(size, store, None, {})
        await pool.start()
        try:
            await asyncio.wait_for(test(pool), 120)
        finally:
            if pool.replacing:  # a start cancelled half-way can leave asyncio waiting for good
                await asyncio.wait(pool.replacing, timeout=60)
            pool.close(kill=True)
            await _until(lambda: not pool._all)  # every worker's exit seen before the loop closes

    asyncio.run(main())


def _count(answer) -> int:
    assert answer.status == 200, answer.body
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


def _ask(pool: Workers, query: str = COUNT, timeout_s: float = LIMIT_S, wait_s: float = LIMIT_S):
    return pool.run("query", QueryJob(query, format="json"), timeout_s, wait_s)


async def _until(condition, rounds: int = 300) -> None:
    for _ in range(rounds):  # bounded: 300 x 0.1 s
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the pool did not get there")


def test_jobs_waiting_for_the_one_worker_are_each_answered(store):
    async def test(pool):
        answers = await asyncio.gather(*(_ask(pool) for _ in range(5)))
        counts = {_count(a) for a in answers}
        assert len(counts) == 1 and counts.pop() > 0

    _on_pool(store, 1, test)


def test_a_job_that_waits_past_its_limit_is_refused_as_busy(store):
    async def test(pool):
        endless = asyncio.ensure_future(_ask(pool, ENDLESS))
        await asyncio.sleep(0)  # it now holds the only worker
        with pytest.raises(Busy):
            await _ask(pool, wait_s=0.2)
        endless.cancel()

    _on_pool(store, 1, test)


def test_a_query_given_up_by_its_caller_ends_its_worker_and_a_new_one_answers(store):
    async def test(pool):
        first = pool.pids
        endless = asyncio.ensure_future(_ask(pool, ENDLESS))
        await asyncio.sleep(0.2)
        endless.cancel()
        await _until(lambda: pool.replaced == 1 and pool.pids and pool.pids != first)
        assert _count(await _ask(pool)) > 0

    _on_pool(store, 1, test)


def test_a_worker_leaves_ctrl_c_and_sigterm_to_its_web_process(store):
    """Ctrl-C in a terminal, or ``systemctl stop``, signals the web process and its workers at
    once: the workers go on until their web process stops them."""
    async def test(pool):
        await _until(lambda: all(w.started for w in pool._all))  # its signal handlers are set
        first = pool.pids
        for pid in first:
            os.kill(pid, signal.SIGINT)
            os.kill(pid, signal.SIGTERM)
        assert _count(await _ask(pool)) > 0
        assert pool.pids == first and pool.replaced == 0

    _on_pool(store, 1, test)


def test_a_query_past_its_limit_ends_its_worker_and_the_job_behind_it_is_answered(store):
    async def test(pool):
        endless = asyncio.ensure_future(_ask(pool, ENDLESS, timeout_s=0.5))
        behind = asyncio.ensure_future(_ask(pool))
        with pytest.raises(JobTimeout):
            await endless
        assert _count(await behind) > 0 and pool.replaced == 1

    _on_pool(store, 1, test)


def test_a_retired_pool_answers_the_jobs_queued_before_it_stops(store):
    async def test(pool):
        jobs = [asyncio.ensure_future(_ask(pool)) for _ in range(3)]
        await asyncio.sleep(0)  # the first holds the worker, the others wait
        pool.close(kill=False)
        assert all(_count(a) > 0 for a in await asyncio.gather(*jobs))
        await _until(lambda: not pool.pids)  # then the worker ends, and none replaces it
        assert pool.replaced == 0

    _on_pool(store, 1, test)


def test_a_retired_pool_answers_a_queued_job_whose_worker_was_stopped_at_the_limit(store):
    async def test(pool):
        endless = asyncio.ensure_future(_ask(pool, ENDLESS, timeout_s=0.5))
        behind = asyncio.ensure_future(_ask(pool))
        await asyncio.sleep(0)  # the endless one holds the worker, the other waits
        pool.close(kill=False)
        with pytest.raises(JobTimeout):
            await endless
        assert _count(await behind) > 0  # a new worker answers it (none left otherwise)
        await _until(lambda: not pool.pids)

    _on_pool(store, 1, test)


def test_a_stopped_pool_fails_its_running_job_as_busy_not_as_a_crash(store):
    async def test(pool):
        endless = asyncio.ensure_future(_ask(pool, ENDLESS))
        await asyncio.sleep(0)  # it holds the only worker
        pool.close(kill=True)
        with pytest.raises(Busy):  # WorkerEnded would be counted a crash, and retried
            await endless

    _on_pool(store, 1, test)


@pytest.mark.parametrize("kill", [False, True])
def test_a_closed_pool_refuses_a_job_at_once(store, kill):
    async def test(pool):
        pool.close(kill=kill)
        with pytest.raises(Busy):  # not left waiting out its limit for a worker that never comes
            await _ask(pool, wait_s=3600)

    _on_pool(store, 1, test)


def test_a_retired_pool_with_a_busy_worker_answers_a_job_that_comes_after_the_retirement(store):
    async def test(pool):
        running = asyncio.ensure_future(_ask(pool))
        await asyncio.sleep(0)  # it holds the only worker
        pool.close(kill=False)  # a request that began on this release may still ask it something
        late = await _ask(pool)
        assert _count(await running) > 0 and _count(late) > 0

    _on_pool(store, 1, test)


def test_a_worker_that_cannot_be_replaced_is_logged_and_the_job_is_refused_as_busy(store, monkeypatch, caplog):
    async def test(pool):
        monkeypatch.setattr("neaspec_kg.store.workers.sys.executable", "/nonexistent/python")
        pool._all.copy().pop().kill()  # no new process can start in its place
        await _until(lambda: pool.replaced >= 1 and "could not be started" in caplog.text)
        assert pool.pids == []
        with pytest.raises(Busy, match="cannot start"):  # at once: not a task's unread exception, not a hang
            await _ask(pool)

    _on_pool(store, 1, test)


def test_workers_that_end_as_they_start_are_started_again_after_waits_that_double(tmp_path, caplog):
    """A store the workers cannot open: each ends as it starts. The pool does not start one
    after another as fast as it can; a job is refused at once, with the reason."""
    async def test(pool):
        await _until(lambda: pool.failed_starts >= 3)
        waits = re.findall(r"ended as it started \(exit code 1\); 0 remain; the next starts in ([0-9.]+) s",
                           caplog.text)
        assert [float(w) for w in waits[:3]] == [0.5, 1.0, 2.0]
        with pytest.raises(Busy, match=r"cannot start \(\d+ starts in a row failed"):
            await _ask(pool)

    _on_pool(str(tmp_path / "no-store-here"), 1, test)


def test_a_pool_whose_workers_could_not_start_answers_once_they_can(store, tmp_path):
    later = tmp_path / "store"

    async def test(pool):
        await _until(lambda: pool.failed_starts >= 1)
        later.symlink_to(store)  # the store is there now: the next start succeeds
        await _until(lambda: pool.pids, rounds=600)  # bounded: the waits before that one are at most 4 s
        assert _count(await _ask(pool)) > 0
        assert pool.failed_starts == 0

    _on_pool(str(later), 1, test)


def test_workers_the_pool_stops_or_that_end_on_their_first_job_are_not_failed_starts(store, caplog):
    async def test(pool):
        await _until(lambda: all(w.started for w in pool._all))  # one killed before that failed to start
        running = asyncio.ensure_future(_ask(pool, ENDLESS))
        await _until(lambda: any(w.job for w in pool._all))
        next(w for w in pool._all if w.job).transport.kill()  # from outside, on its first job
        with pytest.raises(WorkerEnded):
            await running
        assert _count(await _ask(pool)) > 0  # answered, not refused as "cannot start"
        pool.close(kill=False)  # the idle worker, which never had a job, is let go
        await _until(lambda: not pool._all)
        assert pool.failed_starts == 0 and "ended as it started" not in caplog.text

    _on_pool(store, 2, test)


def test_the_wait_before_a_start_stays_at_its_limit_however_many_starts_failed(store):
    pool = Workers(1, store, None, {})
    pool.failed_starts = 5000  # 0.5 s x 2**4999 would overflow a float
    assert pool._backoff_s() == BACKOFF_MAX_S
