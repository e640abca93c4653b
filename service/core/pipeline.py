"""Work on the next item while the caller handles the last: a two-stage pipeline.

A bulk import spends its time in two places that can run at once: this process
preparing rows (reading, validating, sealing: Python, one core) and the database server
writing the last batch (another core, or another machine). ``prepared_ahead`` runs the
preparing in a worker thread, one item ahead: while the caller waits on the server
(which releases the GIL), the worker prepares the next item.

The worker runs in a copy of the caller's context (``contextvars``: a replay's clock,
for one), prepares the items in order, and hands each over through a queue of one; an
error in it is raised in the caller at the item it concerns. If the caller stops early
(an error while writing), the worker stops after the item in hand.
"""

import contextvars
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar, cast

T = TypeVar("T")
U = TypeVar("U")

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prepared_ahead(items: Iterable[T], prepare: Callable[[T], U], ahead: int = 1) -> Iterator[U]:
    """``prepare(item)`` for each item, in order, done in a worker thread up to ``ahead``
    items before the caller asks for them."""
    handed: queue.Queue[object] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def hand(value: object) -> bool:
        while not stop.is_set():
            try:
                handed.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if stop.is_set() or not hand(prepare(item)):
                    return
        except BaseException as exc:  # handed to the caller, raised there
            hand(_Failed(exc))
            return
        hand(_DONE)

    context = contextvars.copy_context()
    worker = threading.Thread(target=context.run, args=(work,), name="prepare-ahead", daemon=True)
    worker.start()
    try:
        while (value := handed.get()) is not _DONE:
            if isinstance(value, _Failed):
                raise value.error
            yield cast(U, value)
    finally:
        stop.set()
        worker.join()
