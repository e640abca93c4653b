"""Find every domain's module of a kind (tasks, service) without a hand-kept list."""

import importlib
import importlib.util
import pkgutil
from types import ModuleType

import service


def import_domain_modules(name: str) -> list[ModuleType]:
    """Import ``service.<domain>.<name>`` for every domain package that has one."""
    found = []
    for package in pkgutil.iter_modules(service.__path__):
        if not package.ispkg:
            continue
        module = f"service.{package.name}.{name}"
        if importlib.util.find_spec(module) is not None:
            found.append(importlib.import_module(module))
    return found
