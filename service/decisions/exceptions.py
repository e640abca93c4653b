from service.core.errors import Conflict, Forbidden, InvalidInput, NotFound


class NotYourClaim(Conflict):
    code = "not_your_claim"


class QueueEmpty(NotFound):
    code = "queue_empty"


class OutsideYourSkills(Forbidden):
    code = "outside_your_skills"


class NotATeamLead(Forbidden):
    code = "not_a_team_lead"


class NotInYourTeam(InvalidInput):
    code = "not_in_your_team"


class NotASenior(Forbidden):
    code = "not_a_senior"


class OwnDecision(Forbidden):
    code = "own_decision"


class NoOpenReview(Conflict):
    code = "no_open_review"


class NoHandoff(NotFound):
    code = "no_handoff"


class RemarksRequired(InvalidInput):
    code = "remarks_required"


class NotAnOfficer(InvalidInput):
    code = "not_an_officer"


class OfficerLacksSkills(Conflict):
    """Reassigning to an officer without the file's skills: choose another officer."""

    code = "officer_lacks_skills"


class NotDecidedYet(Conflict):
    code = "not_decided_yet"


class FinalDecisionRecorded(Conflict):
    code = "final_decision_recorded"


class GrantOnTheForm(Conflict):
    code = "grant_on_the_form"
