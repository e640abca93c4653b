from service.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized


class BadCredentials(Unauthorized):
    code = "bad_credentials"
    keep_changes = True  # the failed attempt counts towards the lockout


class NotAuthenticated(Unauthorized):
    code = "not_authenticated"


class NotSignedIn(Unauthorized):
    """A page needs a browser session; the page door redirects to the sign-in page."""

    code = "not_signed_in"
    html_redirect = "/sign-in"
    keep_changes = True  # an idle session found on the way is ended for good


class RoleNotAllowed(Forbidden):
    code = "role_not_allowed"


class KioskCodeInvalid(Unauthorized):
    code = "kiosk_code_invalid"
    keep_changes = True  # the failed attempt counts towards the lockout


class UsernameTaken(Conflict):
    code = "username_taken"


class UnknownUser(NotFound):
    code = "user_not_found"


class UnknownAgency(InvalidInput):
    code = "unknown_agency"


class UnknownLocation(InvalidInput):
    code = "unknown_location"


class BadSecondFactor(Unauthorized):
    code = "bad_second_factor"
    keep_changes = True  # the failed attempt counts towards the lockout


class SecondFactorNotEnrolled(Forbidden):
    code = "second_factor_not_enrolled"


class WeakPassword(InvalidInput):
    code = "weak_password"


class ResetLinkInvalid(NotFound):
    code = "reset_link_invalid"


class UnknownSession(NotFound):
    code = "session_not_found"


class OidcRefused(Forbidden):
    """Signing in at the identity provider did not work. ``reason`` picks what the page
    says (``service.auth.pages.OIDC_FAILURES``); the detail is for the log."""

    code = "oidc_refused"
    STATUSES = {"unreachable": 502, "provider": 502, "cancelled": 400, "expired": 400}

    def __init__(self, detail: str, reason: str = "invalid", *, subject: str = "") -> None:
        super().__init__(detail, status=self.STATUSES.get(reason, 403))
        self.reason = reason
        # Shown to a person whose identity is not linked yet, to give an administrator.
        self.subject = subject


class OidcIdentityTaken(Conflict):
    code = "oidc_identity_taken"
