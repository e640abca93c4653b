from service.core.errors import Conflict, InvalidInput, NotFound


class FormNotFound(NotFound):
    code = "form_not_found"


class InvalidAnswers(InvalidInput):
    code = "invalid_answers"


class FormNotStarted(Conflict):
    code = "form_not_started"


class FormClosed(Conflict):
    code = "form_closed"


class LanguageNotOffered(Conflict):
    code = "language_not_offered"
