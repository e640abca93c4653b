from service.core.errors import InvalidInput, NotFound


class UnknownPolicy(NotFound):
    code = "unknown_policy"


class InvalidPolicy(InvalidInput):
    code = "invalid_policy"
