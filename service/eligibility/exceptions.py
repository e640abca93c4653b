from service.core.errors import Conflict, InvalidInput, NotFound


class UnknownPolicy(NotFound):
    code = "unknown_policy"


class InvalidPolicy(InvalidInput):
    code = "invalid_policy"


class FormAlreadyTaken(Conflict):
    code = "form_already_taken"
