from service.core.errors import Conflict, NotFound


class NoDossier(NotFound):
    code = "no_dossier"


class DossierNotReady(Conflict):
    """The PDF is being prepared; ask again shortly."""

    code = "dossier_being_prepared"
    retry_after = 5
