"""``prepared_ahead``: the next item prepared in a worker thread while the caller works."""

import threading
from contextvars import ContextVar

import pytest

from service.core.pipeline import prepared_ahead

WHO: ContextVar[str] = ContextVar("who", default="nobody")


def test_items_come_prepared_in_order():
    assert list(prepared_ahead(range(50), lambda n: n * n)) == [n * n for n in range(50)]


def test_the_worker_prepares_one_item_ahead_in_its_own_thread():
    threads, prepared = set(), []

    def prepare(n: int) -> int:
        threads.add(threading.get_ident())
        prepared.append(n)
        return n

    items = prepared_ahead(range(10), prepare)
    assert next(items) == 0
    # The caller holds item 0; the worker has prepared item 1 and waits to hand it over.
    for _ in range(100):
        if len(prepared) >= 2:
            break
        threading.Event().wait(0.01)
    assert prepared[:2] == [0, 1]
    assert list(items) == list(range(1, 10))
    assert threads
    assert threading.get_ident() not in threads


def test_the_worker_sees_the_callers_context():
    WHO.set("the importer")  # e.g. the moment a replay's request told (core.clock)
    assert list(prepared_ahead([1, 2], lambda n: (n, WHO.get()))) == [
        (1, "the importer"),
        (2, "the importer"),
    ]


def test_an_error_while_preparing_is_raised_in_the_caller_after_the_items_before_it():
    def prepare(n: int) -> int:
        if n == 3:
            raise ValueError("row 3 cannot be read")
        return n

    items = prepared_ahead(range(10), prepare)
    assert [next(items), next(items), next(items)] == [0, 1, 2]
    with pytest.raises(ValueError, match="row 3"):
        next(items)


def test_a_caller_that_stops_early_stops_the_worker():
    started = threading.active_count()
    items = prepared_ahead(iter(range(1_000_000)), lambda n: n)
    assert next(items) == 0
    items.close()  # e.g. writing a batch failed: the rest of the file is not read
    assert threading.active_count() == started
