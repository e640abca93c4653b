from service.core.errors import Conflict, NotFound


class NotEligibleForRegistration(Conflict):
    """The case may not take the written registration interview (the policy's rules)."""

    code = "not_eligible_for_registration"


class RegistrationFileNotFound(NotFound):
    code = "registration_file_not_found"
