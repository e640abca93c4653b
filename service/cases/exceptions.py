from service.core.errors import Conflict, InvalidInput, NotFound


class CaseNotFound(NotFound):
    code = "case_not_found"


class DuplicateCase(Conflict):
    code = "duplicate_v_number"


class UnknownLawyer(InvalidInput):
    code = "unknown_lawyer"


class BadImportFile(InvalidInput):
    code = "bad_import_file"
