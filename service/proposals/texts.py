"""Every text of a form's JSON, by a stable key, and the hash of a source text.

A text is a ``{language: text}`` dict holding the source language; its key is the path
to it, a list item named by its ``id`` (or an option's ``value``): ``sections.journey.
questions.border_crossing.label``. Translations record the source's hash, so a changed
source shows which translations are stale."""

import hashlib
from collections.abc import Iterator
from typing import Any

from service.questionnaires.forms import SOURCE_LANGUAGE

Texts = dict[str, str]


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _is_texts(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get(SOURCE_LANGUAGE), str)
        and all(isinstance(v, str) for v in value.values())
    )


def texts_of(content: Any, path: str = "") -> Iterator[tuple[str, Texts]]:
    """Each text of the form, in form order, with its key."""
    if _is_texts(content):
        yield path, content
        return
    if isinstance(content, dict):
        for name, value in content.items():
            if name in ("review", "show_if"):
                continue
            yield from texts_of(value, f"{path}.{name}" if path else name)
    elif isinstance(content, list):
        for index, item in enumerate(content):
            name = item.get("id") or item.get("value") if isinstance(item, dict) else None
            yield from texts_of(item, f"{path}.{name or index}")


def texts_at(content: dict[str, Any], key: str) -> Texts | None:
    return dict(texts_of(content)).get(key)
