from service.core.actions import FormInvalid
from service.core.errors import Conflict, DomainError, InvalidInput, NotFound


class TranslationNotFound(NotFound):
    code = "translation_not_found"


class IncompleteTranslation(FormInvalid):
    """Not every answer translated once, or a target no answer may be: what is wrong
    with each answer (by its key) beside the detail and the list of problems."""

    code = "incomplete_translation"

    def __init__(
        self, detail: str, fields: dict[str, str], problems: list[str] | None = None
    ) -> None:
        DomainError.__init__(self, detail, problems=problems)
        self.fields = fields


class TranslationFileRefused(InvalidInput):
    """An uploaded XLIFF file does not match the job: stale, tampered or incomplete."""

    code = "translation_file_refused"
    field = "file"


class AgencyNotFound(InvalidInput):
    code = "unknown_agency"
    field = "agency"


class AgencyFull(Conflict):
    """The agency has taken on as many forms this week as it agreed to."""

    code = "agency_full"
    field = "agency"


class TranslationClosed(Conflict):
    """The job is no longer open: delivered, or called off."""

    code = "translation_closed"


class TooManyVersions(Conflict):
    """The translation has been delivered as often as it may be."""

    code = "too_many_translation_versions"
