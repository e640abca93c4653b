from service.core.errors import Conflict, InvalidInput, NotFound


class TranslationNotFound(NotFound):
    code = "translation_not_found"


class IncompleteTranslation(InvalidInput):
    code = "incomplete_translation"


class TranslationFileRefused(InvalidInput):
    """An uploaded XLIFF file does not match the job: stale, tampered or incomplete."""

    code = "translation_file_refused"


class AgencyNotFound(InvalidInput):
    code = "unknown_agency"


class AgencyFull(Conflict):
    """The agency has taken on as many forms this week as it agreed to."""

    code = "agency_full"


class TranslationClosed(Conflict):
    """The job is no longer open: delivered, or called off."""

    code = "translation_closed"


class TooManyVersions(Conflict):
    """The translation has been delivered as often as it may be."""

    code = "too_many_translation_versions"
