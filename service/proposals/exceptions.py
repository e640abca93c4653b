from service.core.errors import Conflict, InvalidInput, NotFound


class UnknownQuestion(InvalidInput):
    code = "unknown_question"


class QuestionExists(InvalidInput):
    code = "question_exists"


class ProposalDecided(Conflict):
    code = "proposal_decided"


class DraftFrozen(Conflict):
    code = "draft_frozen"


class DraftIncomplete(Conflict):
    code = "draft_incomplete"


class NoSuchForm(NotFound):
    code = "no_such_form"


class WordingMissing(InvalidInput):
    code = "wording_missing"


class TranslationRefused(InvalidInput):
    code = "translation_refused"


class TypeRefused(InvalidInput):
    code = "question_type_refused"
