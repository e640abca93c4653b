from service.core.errors import Conflict, InvalidInput


class TermExpired(Conflict):
    code = "corrections_term_expired"


class InvalidCorrection(InvalidInput):
    code = "invalid_correction"
