"""Every background job: each domain's ``tasks`` module, found without a hand-kept list,
so the Huey consumer registers them all."""

from service.core.discovery import import_domain_modules
from service.core.jobs import huey

TASK_MODULES = import_domain_modules("tasks")

__all__ = ["TASK_MODULES", "huey"]
