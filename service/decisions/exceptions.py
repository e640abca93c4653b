from service.core.errors import Conflict, Forbidden, InvalidInput


class NotYourClaim(Conflict):
    code = "not_your_claim"


class MotiveNotRaised(InvalidInput):
    code = "motive_not_raised"


class NotYourSpecialism(Forbidden):
    code = "not_your_specialism"
