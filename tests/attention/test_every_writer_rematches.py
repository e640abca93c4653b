"""No path that writes a case's texts can miss the re-matching: every function in the
service that stores a translation's text or a lawyer's correction also calls
``translation.texts_changed`` (the one hook unit 1F's matching subscribes to). Retention,
which empties the texts for good, is the one exception: nothing is left to match."""

import ast

from tests.test_architecture import modules

# What stores the answers' texts: a delivery's version, the current Dutch text, and a
# lawyer's correction or addition.
TEXT_ROWS = {"TranslationVersion", "CorrectionItem"}
TEXT_FIELDS = {"answers_nl", "transcriptions"}
EMPTIES_THEM = {"service.retention.service"}


def _called(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def _assigned(node: ast.AST) -> set[str]:
    return {
        target.attr
        for assign in ast.walk(node)
        if isinstance(assign, ast.Assign)
        for target in assign.targets
        if isinstance(target, ast.Attribute)
    }


def text_writers() -> dict[str, bool]:
    """Each function that writes a text, and whether it calls ``texts_changed``."""
    found = {}
    for path, tree in modules():
        name = ".".join(path.with_suffix("").parts[-3:])
        if name in EMPTIES_THEM or "models" in path.parts:
            continue
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            writes = _called(function) & TEXT_ROWS or _assigned(function) & TEXT_FIELDS
            if writes:
                found[f"{name}.{function.name}"] = "texts_changed" in _called(function)
    return found


def test_every_writer_of_a_text_calls_the_hook():
    writers = text_writers()
    assert {"service.translation.service.deliver", "service.corrections.service._add_items"} <= set(
        writers
    )
    assert [name for name, calls in writers.items() if not calls] == []
