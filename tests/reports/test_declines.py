"""Consent declines by the lawyer's reason (issue 18): each reason counted on its own,
declines from before reasons were asked as not recorded, beside expired invitations,
invitations called off and withdrawals."""

from datetime import timedelta

from service.core.clock import utcnow
from service.dev.driver import lawyer_of
from service.invitations import service as invitations
from service.invitations.schemas import ReplyIn
from service.models import DeclineReason, Invitation
from service.reports import queries
from service.reports.schemas import Period
from service.terms.policy import local_date
from service.workflow import CaseState

R = DeclineReason


def decline(db, factory, reason: DeclineReason) -> Invitation:
    case = factory.case_in(CaseState.INVITED)
    invitation = invitations.open_invitation(db, case.id)
    assert invitation is not None
    answer = ReplyIn(consent=False, decline_reason=reason)
    invitations.reply(db, lawyer_of(case), invitation, answer)
    return invitation


def test_declines_are_counted_per_reason(db, factory):
    for reason in (R.HEALTH, R.HEALTH, R.CANNOT_READ_OR_WRITE, R.OTHER):
        decline(db, factory, reason)
    decline(db, factory, R.OTHER).decline_reason = None  # as declined before the reasons
    factory.case_in(CaseState.WITHDRAWN)
    expired = factory.case_in(CaseState.INVITED)
    invitation = invitations.open_invitation(db, expired.id)
    assert invitation is not None
    invitation.reply_due_at = utcnow() - timedelta(minutes=1)
    invitations.expire(db, invitation.id)
    db.flush()

    today = local_date(utcnow())
    found = queries.declines(db, Period(start=today, end=today))

    assert [(d.reason, d.invitations) for d in found] == [
        ("prefers_physical_hearing", 0),
        ("cannot_read_or_write", 1),
        ("no_suitable_language", 0),
        ("health", 2),
        ("no_contact_with_client", 0),
        ("other", 1),
        ("not_recorded", 1),
        ("expired", 1),
        ("cancelled", 0),
        ("withdrawn", 1),
    ]
    earlier = today - timedelta(days=30)
    assert all(d.invitations == 0 for d in queries.declines(db, Period(start=earlier, end=earlier)))
