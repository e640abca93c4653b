from service.core.errors import Conflict, Forbidden, Unauthorized


class BadCredentials(Unauthorized):
    code = "bad_credentials"


class NotAuthenticated(Unauthorized):
    code = "not_authenticated"


class RoleNotAllowed(Forbidden):
    code = "role_not_allowed"


class KioskCodeInvalid(Unauthorized):
    code = "kiosk_code_invalid"


class UsernameTaken(Conflict):
    code = "username_taken"
