"""Who reads forms and answers. The applicant reaches only their own case's form."""

from service.auth.access import STAFF
from service.fields import roles_seeing
from service.models.auth import Role

# service/fields.py; translators read the answers they translate through their job.
# The applicant reads their own answers at the kiosk.
ANSWER_READERS = tuple(
    sorted(roles_seeing("answers", "answers") - {Role.TRANSLATOR, Role.APPLICANT})
)
FORM_READERS = (*STAFF, Role.LAWYER, Role.TRANSLATOR, Role.HOST, Role.APPLICANT)
APPLICANT = (Role.APPLICANT,)
