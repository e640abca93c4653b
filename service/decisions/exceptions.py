from service.core.errors import Conflict, InvalidInput


class NotYourClaim(Conflict):
    code = "not_your_claim"


class MotiveNotRaised(InvalidInput):
    code = "motive_not_raised"
