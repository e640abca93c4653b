from service.core.errors import InvalidInput


class BadPeriod(InvalidInput):
    code = "bad_period"
