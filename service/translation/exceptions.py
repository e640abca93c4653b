from service.core.errors import InvalidInput, NotFound


class TranslationNotFound(NotFound):
    code = "translation_not_found"


class IncompleteTranslation(InvalidInput):
    code = "incomplete_translation"
