from service.core.errors import Conflict, InvalidInput, NotFound


class TranslationNotFound(NotFound):
    code = "translation_not_found"


class IncompleteTranslation(InvalidInput):
    code = "incomplete_translation"


class AgencyNotFound(InvalidInput):
    code = "unknown_agency"


class TranslationClosed(Conflict):
    """The job is no longer open: delivered, or called off."""

    code = "translation_closed"
