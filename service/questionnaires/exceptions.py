from service.core.actions import FormInvalid
from service.core.errors import Conflict, NotFound, Unauthorized


class FormNotFound(NotFound):
    code = "form_not_found"


class InvalidAnswers(FormInvalid):
    """Answers refused, each with its reason by answer key: a page shows them beside the
    questions, the API lists them in its detail."""

    code = "invalid_answers"

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.detail = "; ".join(f"{key}: {message}" for key, message in problems.items())
        self.args = (self.detail,)


class FormNotStarted(Conflict):
    code = "form_not_started"


class FormClosed(Conflict):
    code = "form_closed"


class FormTimeUp(FormClosed):
    """The form's time ran out: the door that found it so handed it in as saved, and that
    hand-in stays although the request is refused."""

    keep_changes = True


class NotAssisted(Conflict):
    """Answers sent as typed by a helper where the host did not switch assisted filling
    on with the applicant's consent."""

    code = "not_assisted"


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
