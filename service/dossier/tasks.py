import uuid

from service.core.db import unit_of_work
from service.core.jobs import huey, once
from service.dossier import service


@huey.task()
def render_dossier(case_id: uuid.UUID, copy: str) -> bool:
    """Render one copy of a case's dossier if its content changed (cached by hash)."""

    def job() -> bool:
        with unit_of_work() as db:
            return service.render(db, case_id, copy)

    return once(job)
