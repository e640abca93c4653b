from service.core.errors import Conflict, InvalidInput, NotFound


class InvitationNotFound(NotFound):
    code = "invitation_not_found"


class NoLawyer(Conflict):
    code = "no_lawyer"


class InvitationClosed(Conflict):
    code = "invitation_closed"


class DeclineReasonMismatch(InvalidInput):
    """A decline without a reason, or a consent with one."""

    code = "decline_reason"
