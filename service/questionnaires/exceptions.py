from service.core.errors import Conflict, InvalidInput, NotFound, Unauthorized


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


class KioskSignedOut(Unauthorized):
    """No live kiosk sign-in: the page sends the browser to the code entry page."""

    code = "kiosk_signed_out"
    html_redirect = "/kiosk"
