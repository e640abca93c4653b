from service.core.errors import Conflict, DomainError, InvalidInput


class TermExpired(Conflict):
    code = "corrections_term_expired"


class InvalidCorrection(InvalidInput):
    code = "invalid_correction"


class AttachmentRefused(InvalidInput):
    """Not a PDF, JPEG or PNG by its content, or too large."""

    code = "attachment_refused"
    field = "file"


class TooManyAttachments(AttachmentRefused):
    """The case holds as many attachments, or as many bytes of them, as it may."""

    code = "attachment_limit_reached"


class CorrectionsClosed(Conflict):
    """The lawyer's turn has ended: corrections sent, none to make, or the term passed."""

    code = "corrections_closed"


class VersionRequired(DomainError):
    """An edit without ``If-Match``: it could silently overwrite a colleague's work."""

    status = 428
    code = "if_match_required"


class VersionConflict(DomainError):
    """Someone changed the corrections since the editor loaded them."""

    status = 412
    code = "corrections_changed"
