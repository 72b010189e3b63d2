"""Run work in threads released at the same moment (for the row-lock and uniqueness tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_together(
    count: int, work: Callable[[int], Any], expected: tuple[type[Exception], ...] = ()
) -> list[Any]:
    """``work(i)`` in ``count`` threads; an exception of an ``expected`` type is the result."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def body(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except expected as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
