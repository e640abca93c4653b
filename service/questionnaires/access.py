"""Who reads forms and answers. The applicant reaches only their own case's form.

At the kiosk the applicant is signed in by a cookie holding the kiosk token that the
one-time code was exchanged for (``at_kiosk``); it ends on submit, decline or time-up.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from service.auth import service as auth
from service.auth.access import STAFF, Loaded, Permission, allow, gated, signed_in
from service.cases.access import account_through, readable_case
from service.core.actor import Actor
from service.core.web import cookie_name
from service.fields import roles_seeing
from service.models.auth import ApiToken, Role
from service.models.cases import Case
from service.models.questionnaires import AnswerSet
from service.questionnaires.exceptions import KioskSignedOut, KioskSignInEnded
from service.questionnaires.forms import FormDefinition, load_form

# service/fields.py; translators read the answers they translate through their job.
# The applicant reads their own answers at the kiosk.
ANSWER_READERS = tuple(
    sorted(roles_seeing("answers", "answers") - {Role.TRANSLATOR, Role.APPLICANT})
)
# Everyone: unit 1F reads the questions its indicators are matched in; interpreters
# record the questions; partners propose changes to them, the form owner publishes them.
FORM_READERS = (
    *STAFF,
    Role.UNIT_1F,
    Role.INTERPRETER,
    Role.PARTNER,
    Role.FORM_OWNER,
    Role.LAWYER,
    Role.TRANSLATOR,
    Role.HOST,
    Role.APPLICANT,
)
APPLICANT = (Role.APPLICANT,)
FORM_MANAGERS = (Role.PLANNER, Role.ADMIN)
# Interpreters record the spoken prompts; form managers listen to them.
PROMPT_RECORDERS = (Role.INTERPRETER,)
PROMPT_LISTENERS = (*PROMPT_RECORDERS, *FORM_MANAGERS)


def kiosk_cookie() -> str:
    return cookie_name("kiosk")


# The kiosk pages' sign-in reads, with the token, which form version the applicant's
# answers are in (the answer set's, fixed when the form starts): the autosave reads its
# posted fields by that form's questions and then saves as the API does, with no read of
# the form of its own (docs/request-model.md).
KIOSK_SIGN_IN = auth.TOKEN_ACTOR.add_columns(AnswerSet.form_id, AnswerSet.form_version).outerjoin(
    AnswerSet, AnswerSet.case_id == ApiToken.case_id
)
FORM_VERSION = "kiosk_form_version"  # kept on the unit of work's session by the sign-in


@dataclass(frozen=True)
class KioskPermission(Permission):
    """The applicant behind the kiosk cookie (a kiosk token), or back to the code page."""

    def _sign_in(self, db: Session) -> Actor:
        if not self.secret:
            raise KioskSignedOut("Enter the code from the host.")
        row = auth.token_row(db, self.secret, KIOSK_SIGN_IN)
        actor = None if row is None else auth.actor_of_token(row)
        if row is None or actor is None or actor.case_id is None:
            raise KioskSignInEnded("Enter the code from the host.")
        version = None if row.form_id is None else (row.form_id, row.form_version)
        db.info[FORM_VERSION] = (actor.case_id, version)
        return actor


def signed_in_form(db: Session, actor: Actor) -> FormDefinition | None:
    """The form version the applicant's answers are in, as their kiosk sign-in read it
    (a started form keeps its version); None if it had not started, or no kiosk page
    signed them in. Says nothing of whether the form is open: saving checks that."""
    case_id, version = db.info.get(FORM_VERSION, (None, None))
    return load_form(*version) if case_id == actor.case_id and version else None


def at_kiosk() -> Any:
    """A kiosk page: the applicant signed in with their one-time code."""
    allowed = frozenset(APPLICANT)

    def gate(request: Request) -> Permission:
        return KioskPermission(allowed, request.cookies.get(kiosk_cookie()))

    async def permission(request: Request) -> Permission:
        found = gate(request)
        if found.secret is None:
            raise KioskSignedOut("Enter the code from the host.")
        return found

    permission.allowed_roles = allowed  # type: ignore[attr-defined]
    permission.gate = gate  # type: ignore[attr-defined]
    return permission


# --- the doors' declarations (the API's ``X``, the page's ``XPage``) ----------------------

Applicant = Annotated[Actor, Depends(allow(*APPLICANT))]
ApplicantPage = Annotated[Actor, Depends(at_kiosk())]
FormReader = Annotated[Actor, Depends(allow(*FORM_READERS))]
AnswerReader = Annotated[Actor, Depends(allow(*ANSWER_READERS))]
# The case whose applicant's answers the caller may read (a coordinator: their motive's).
AnswersAccount = Annotated[Case, Depends(account_through(allow(*ANSWER_READERS), "answers"))]
AnswersAccountPage = Annotated[
    Case, Depends(account_through(signed_in(*ANSWER_READERS), "answers"))
]
AnswerReaderPage = Annotated[Actor, Depends(signed_in(*ANSWER_READERS))]
FormManagerPage = Annotated[Actor, Depends(signed_in(*FORM_MANAGERS))]
InterpreterPage = Annotated[Actor, Depends(signed_in(*PROMPT_RECORDERS))]
PromptListenerPage = Annotated[Actor, Depends(signed_in(*PROMPT_LISTENERS))]


def own_case(db: Session, actor: Actor) -> Case:
    """The applicant's own case (their sign-in always carries it), through the cases'
    access rules."""
    assert actor.case_id is not None
    return readable_case(db, actor.case_id, actor)


async def _applicant_case(
    permission: Annotated[Permission, Depends(allow(*APPLICANT))],
) -> Loaded[Case]:
    return Loaded(permission, own_case)


# The API's applicant with their case loaded (start, hand in).
ApplicantCase = Annotated[Case, Depends(gated(_applicant_case, allow(*APPLICANT)))]
