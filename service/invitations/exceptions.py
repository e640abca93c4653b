from service.core.errors import Conflict, NotFound


class InvitationNotFound(NotFound):
    code = "invitation_not_found"


class NoLawyer(Conflict):
    code = "no_lawyer"


class InvitationClosed(Conflict):
    code = "invitation_closed"
