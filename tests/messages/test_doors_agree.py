"""Sending a failed message again through both doors: the API and the planner's page
queue it the same way, and refuse alike (the page: with a 4xx status and the reason)."""

import re
from typing import Any

import pytest
from sqlalchemy import select

from service.core.clock import utcnow
from service.models import Role
from service.models.auth import User
from service.models.messages import Message, MessageStatus
from service.workflow import CaseState
from tests.helpers import API, csrf_of, sign_in

HTML = {"accept": "text/html"}


def two_messages(db: Any, factory: Any, status: MessageStatus) -> list[Message]:
    """The invitation to each of two cases' lawyer, in ``status``."""
    cases = [factory.case_in(CaseState.INVITED) for _ in range(2)]
    found = [
        db.scalars(select(Message).where(Message.case_id == case.id)).first() for case in cases
    ]
    for message in found:
        message.status = status
        message.failed_at = utcnow() if status is MessageStatus.FAILED else None
    db.flush()
    return found


def through_both(client: Any, factory: Any, by_api: Message, by_page: Message) -> tuple[Any, Any]:
    planner = factory.person(Role.PLANNER)
    api = client.post(f"{API}/messages/{by_api.id}/retry", headers=planner.headers)
    sign_in(client, planner.user.username)
    token = csrf_of(client.get("/planner/messages", headers=HTML).text)
    url = f"/planner/messages/{by_page.id}/retry"
    page = client.post(url, data={"csrf_token": token}, headers=HTML, follow_redirects=False)
    return api, page


def stored(db: Any, message: Message) -> tuple[Any, ...]:
    db.refresh(message)
    return message.status, message.attempts, message.to_address, message.failed_at is None


def test_sending_again_queues_the_same_through_both_doors(client, db, factory):
    by_api, by_page = two_messages(db, factory, MessageStatus.FAILED)
    api, page = through_both(client, factory, by_api, by_page)
    assert api.status_code == 200, api.text
    assert page.status_code == 303, page.text
    assert stored(db, by_api) == stored(db, by_page)
    assert stored(db, by_page)[:2] == (MessageStatus.QUEUED, 0)


@pytest.mark.parametrize(
    ("status", "no_address", "code"),
    [
        (MessageStatus.QUEUED, False, "message_not_failed"),
        (MessageStatus.FAILED, True, "no_address"),
    ],
    ids=["a message still waiting to be sent", "a recipient without an address"],
)
def test_a_refused_retry_is_refused_alike(client, db, factory, status, no_address, code):
    by_api, by_page = two_messages(db, factory, status)
    if no_address:
        for message in (by_api, by_page):
            db.get_one(User, message.recipient_id).email = None
    before = stored(db, by_page)
    api, page = through_both(client, factory, by_api, by_page)
    assert api.json()["code"] == code, api.text
    assert page.status_code == api.status_code == 409
    assert re.search(r'data-refusal="([a-z_]+)"', page.text).group(1) == code
    assert stored(db, by_page) == before
