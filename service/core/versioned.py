"""Versioned configuration as data: one YAML file per version in a directory, validated
by a pydantic model whose ``version`` field must match the file's name."""

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from service.core.errors import DomainError

M = TypeVar("M", bound=BaseModel)


def versions_in(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml"))


def known_version(directory: Path, version: str, kind: str) -> str:
    """For settings validators: the version, or a ValueError naming the known ones."""
    known = versions_in(directory)
    if version not in known:
        raise ValueError(f"unknown {kind} '{version}'; known: {', '.join(known)}")
    return version


def load_version(
    directory: Path,
    version: str,
    model: type[M],
    *,
    unknown: type[DomainError],
    invalid: type[DomainError],
) -> M:
    """Read and validate one version; ``unknown``/``invalid`` are the domain's errors."""
    known = versions_in(directory)
    if version not in known:
        raise unknown(f"No version '{version}' in {directory.name}/. Known: {', '.join(known)}.")
    path = directory / f"{version}.yaml"
    try:
        loaded = model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise invalid(f"{path.name} is invalid: {exc}") from exc
    if getattr(loaded, "version", None) != version:
        raise invalid(f"{path.name} declares version '{getattr(loaded, 'version', None)}'")
    return loaded
