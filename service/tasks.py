"""Every background job, imported so the Huey consumer registers them all."""

from service.core.jobs import huey
from service.corrections.tasks import expire_corrections_terms
from service.invitations.tasks import expire_invitations
from service.questionnaires.tasks import auto_submit_forms

__all__ = ["auto_submit_forms", "expire_corrections_terms", "expire_invitations", "huey"]
