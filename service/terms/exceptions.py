from service.core.errors import Conflict, InvalidInput, NotFound


class UnknownTermPolicy(NotFound):
    code = "unknown_term_policy"


class InvalidTermPolicy(InvalidInput):
    code = "invalid_term_policy"


class NoOpenTerm(Conflict):
    code = "no_open_term"
