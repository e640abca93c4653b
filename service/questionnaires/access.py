"""Who reads forms and answers. The applicant reaches only their own case's form."""

from service.auth.access import STAFF
from service.models.auth import Role

# Translators read the answers they translate through their translation job.
ANSWER_READERS = (Role.OFFICER, Role.COORDINATOR, Role.LAWYER, Role.ADMIN)
FORM_READERS = (*STAFF, Role.LAWYER, Role.TRANSLATOR, Role.HOST, Role.APPLICANT)
APPLICANT = (Role.APPLICANT,)
