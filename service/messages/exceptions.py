from service.core.errors import Conflict, NotFound


class MessageNotFound(NotFound):
    code = "message_not_found"


class MessageNotFailed(Conflict):
    code = "message_not_failed"


class NoAddress(Conflict):
    code = "no_address"
