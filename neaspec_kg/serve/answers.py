"""An optional cache of whole answers, keyed by release, query, dataset and format.

Only deterministic queries are cached; a new release changes every key. Off when the
budget is 0 (the benchmark targets must hold without it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from neaspec_kg.store.answer import Answer


class AnswerCache:
    def __init__(self, budget_bytes: int, max_entry_bytes: int = 1 << 20):
        self.budget = budget_bytes
        self.max_entry = min(max_entry_bytes, budget_bytes)
        self.used = 0
        self._entries: OrderedDict[tuple, Answer] = OrderedDict()
        self._lock = threading.Lock()  # used by the event loop, the route threads and the page warm-up

    def get(self, key: tuple) -> Answer | None:
        if not self.budget:
            return None
        with self._lock:
            answer = self._entries.get(key)
            if answer is not None:
                self._entries.move_to_end(key)
        return answer

    def put(self, key: tuple, answer: Answer) -> None:
        size = len(answer.body)
        if not self.budget or answer.status != 200 or size > self.max_entry:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = answer
            self.used += size
            while self.used > self.budget and self._entries:
                _, old = self._entries.popitem(last=False)
                self.used -= len(old.body)
