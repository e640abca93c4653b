"""Lists that can grow are read a page at a time.

Every such list endpoint takes ``limit`` (1 to 500, 100 unless asked) and ``offset``, in a
stable order; a log that grows at its head while it is read (the access log, where reading
it adds an entry) pages by its entries' number instead (``before``), so no entry is seen
twice or skipped. When more entries follow, the answer carries an RFC 8288 link to the next
page (``Link: <...?offset=200>; rel="next"``), so a client follows links and never has to
guess whether a short answer was cut off.
"""

from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import Query, Request, Response

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# Paging stops well before the database's integer limits.
MAX_OFFSET = 1_000_000

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Entries per page")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Entries to skip")]
Before = Annotated[
    int | None, Query(ge=1, le=2**62, description="Only entries numbered below this one")
]

T = TypeVar("T")


def link_next(request: Request, response: Response, **params: object) -> None:
    """Point to the next page: this request's URL with ``params`` changed."""
    following = request.url.include_query_params(**params)
    response.headers["Link"] = f'<{following}>; rel="next"'


def page_of(
    rows: Sequence[T], limit: int, offset: int, request: Request, response: Response
) -> Sequence[T]:
    """The first ``limit`` of ``rows`` (read with ``limit + 1``); a link to the next page
    when there are more."""
    if len(rows) > limit:
        link_next(request, response, limit=limit, offset=offset + limit)
    return rows[:limit]
