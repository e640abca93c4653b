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


class KioskSignInEnded(KioskSignedOut):
    """The kiosk cookie's sign-in has ended (its window closed, a new code, a hand-in):
    the page goes to /kiosk/time-up, which hands in a form whose time is up and says so,
    or else shows the code page. A page opened just as the window closes (the countdown
    racing the clock) thus still ends on "your answers were handed in"."""

    html_redirect = "/kiosk/time-up"
