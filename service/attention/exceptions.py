from service.core.errors import Conflict, NotFound


class ListNotFound(NotFound):
    code = "indicator_list_not_found"


class PointNotFound(NotFound):
    code = "attention_point_not_found"


class IndicatorNotFound(NotFound):
    code = "indicator_not_found"


class VersionPublished(Conflict):
    """A published list version never changes: start a new draft."""

    code = "list_version_published"


class DuplicateList(Conflict):
    code = "indicator_list_exists"


class EmptyDraft(Conflict):
    code = "list_version_empty"


class PointHandled(Conflict):
    code = "attention_point_handled"
