from service.core.actions import FormInvalid
from service.core.formatting import in_english
from service.core.i18n import N_

CHECK_INPUTS = N_("Check the inputs marked. The forecast was not computed.")


class InvalidForecastInput(FormInvalid):
    """An input of the forecast that does not parse, per query parameter. A page shows the
    messages beside the fields (``core.actions.refusal_of`` reads a ``FormInvalid``);
    the API lists them as ``problems`` ("parameter: message")."""

    code = "invalid_forecast_input"

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.detail = CHECK_INPUTS
        self.problems = [f"{name}: {in_english(text)}" for name, text in fields.items()]
