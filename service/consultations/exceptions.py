from service.core.errors import Conflict, Forbidden, InvalidInput, NotFound


class MotiveNotRaised(InvalidInput):
    code = "motive_not_raised"


class NotYourSpecialism(Forbidden):
    code = "not_your_specialism"


class ConsultationNotFound(NotFound):
    code = "consultation_not_found"


class AlreadyAnswered(Conflict):
    code = "consultation_answered"


class AlreadyRequested(Conflict):
    code = "consultation_requested"
