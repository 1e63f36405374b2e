"""Work spread over processes, results taken in order with a bounded number in flight.

``Executor.map`` submits every task at once: when the consumer is slower than the workers, all
results wait in memory.  :meth:`Workers.ordered` keeps at most ``ahead`` chunks submitted and
not yet consumed, so a build's memory does not grow with the corpus.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

from ..collector import tune_gc

T = TypeVar("T")
R = TypeVar("R")


class Workers:
    """``jobs`` worker processes (started on first use), or none: then everything runs inline."""

    def __init__(self, jobs: int, start_method: str | None = None) -> None:
        self.jobs = max(1, jobs)
        self.start_method = start_method
        self._pool: Any = None

    @property
    def parallel(self) -> bool:
        return self.jobs > 1

    def _executor(self) -> Any:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            if self.start_method:
                context = multiprocessing.get_context(self.start_method)
                self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context, initializer=tune_gc)
            else:
                self._pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=tune_gc)
        return self._pool

    def ordered(self, fn: Callable[[T], R], chunks: Iterable[T], ahead: int | None = None) -> Iterator[R]:
        """``fn(chunk)`` for each chunk, in order; in worker processes when parallel."""
        if not self.parallel:
            for chunk in chunks:
                yield fn(chunk)
            return
        pool = self._executor()
        limit = ahead or self.jobs * 3
        pending: deque[Future[R]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(fn, chunk))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def submit(self, fn: Callable[..., R], *args: Any) -> Future[R] | None:
        """Start ``fn(*args)`` in a worker now (None when not parallel: call it later inline)."""
        if not self.parallel:
            return None
        return self._executor().submit(fn, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def chunked(items: list[T], size: int) -> Iterator[list[T]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
