"""Every piece of input has a bound: each string a maximum length, each list a maximum
number of items, each map a maximum number of keys (and each key a maximum length). Read
from the OpenAPI schema (request bodies, path, query, header and cookie parameters), so a
field or route added later without a bound fails here, naming it.

Strings with a fixed shape (uuid, date, date-time, an enum or a constant) are bounded by
that shape; an uploaded file by the upload limit (``HEARING_MAX_UPLOAD_BYTES``).
"""

from collections.abc import Iterator
from typing import Any

import pytest

from service.main import app

BOUNDED_FORMATS = {"uuid", "date", "date-time", "binary"}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return app.openapi()


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def unbounded(schema: dict[str, Any], node: dict[str, Any], where: str) -> Iterator[str]:
    """Each place under ``node`` that takes input without a bound, with what is missing."""

    def visit(
        node: dict[str, Any], where: str, refs: frozenset[str] = frozenset()
    ) -> Iterator[str]:
        ref = node.get("$ref")
        if ref in refs:
            return  # a recursive schema: this part is walked already
        refs = refs | {ref} if ref else refs
        node = resolve(schema, node)
        for key in ("anyOf", "oneOf", "allOf"):
            for option in node.get(key, []):
                yield from visit(option, where, refs)
        if "enum" in node or "const" in node:
            return
        kinds = node.get("type")
        kinds = set(kinds) if isinstance(kinds, list) else {kinds}
        shaped = node.get("format") in BOUNDED_FORMATS or "contentMediaType" in node
        if "string" in kinds and "maxLength" not in node and not shaped:
            yield f"{where}: a string without maxLength"
        if "array" in kinds or "items" in node or "prefixItems" in node:
            if "maxItems" not in node:
                yield f"{where}: an array without maxItems"
            for item in node.get("prefixItems", []):
                yield from visit(item, f"{where}[]", refs)
            if isinstance(node.get("items"), dict):
                yield from visit(node["items"], f"{where}[]", refs)
        for name, field in node.get("properties", {}).items():
            yield from visit(field, f"{where}.{name}", refs)
        extra = node.get("additionalProperties")
        if extra not in (None, False) and "maxProperties" not in node:
            yield f"{where}: an object with additionalProperties without maxProperties"
        if isinstance(extra, dict):
            yield from visit(extra, f"{where}.*", refs)
        if extra not in (None, False):  # the keys are strings of their own
            keys = {"type": "string", **node.get("propertyNames", {})}
            yield from visit(keys, f"{where} (keys)", refs)

    yield from visit(node, where)


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method in METHODS:
                operation = {**operation, "parameters": shared + operation.get("parameters", [])}
                yield f"{method.upper()} {path}", operation


def input_schemas(schema: dict[str, Any], operation: dict[str, Any]) -> Iterator[tuple]:
    for parameter in operation["parameters"]:
        parameter = resolve(schema, parameter)
        yield f"{parameter['in']}.{parameter['name']}", parameter.get("schema", {})
    body = operation.get("requestBody")
    if body:
        for media_type, content in resolve(schema, body)["content"].items():
            yield f"body ({media_type})", content.get("schema", {})


def test_every_input_has_a_bound(schema):
    offenders = [
        f"{name}: {problem}"
        for name, operation in operations(schema)
        for where, node in input_schemas(schema, operation)
        for problem in unbounded(schema, node, where)
    ]
    assert not offenders, "unbounded input:\n" + "\n".join(sorted(set(offenders)))


def test_the_walk_finds_what_it_looks_for(schema):
    """The walker itself: each kind of gap is found, through references, unions and a
    recursive schema."""
    components = {
        "components": {
            "schemas": {
                "Inner": {
                    "type": "object",
                    "properties": {
                        "free": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}},
                    },
                },
                "Outer": {
                    "type": "object",
                    "properties": {
                        "inner": {
                            "anyOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "null"}]
                        },
                        "map": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "id": {"type": "string", "format": "uuid"},
                        "kind": {"type": "string", "enum": ["a", "b"]},
                        "name": {"type": "string", "maxLength": 10},
                        "tree": {"$ref": "#/components/schemas/Tree"},
                    },
                },
                "Tree": {
                    "type": "object",
                    "properties": {
                        "label": {"type": "string"},
                        "children": {
                            "type": "array",
                            "maxItems": 3,
                            "items": {"$ref": "#/components/schemas/Tree"},
                        },
                    },
                },
            }
        }
    }
    found = list(unbounded(components, {"$ref": "#/components/schemas/Outer"}, "body"))
    assert sorted(found) == [
        "body.inner.free: a string without maxLength",
        "body.inner.tags: an array without maxItems",
        "body.map (keys): a string without maxLength",
        "body.map: an object with additionalProperties without maxProperties",
        "body.tree.label: a string without maxLength",
    ]
    # And the real schema is walked: its bounded fields are seen.
    walked = [w for _, op in operations(schema) for w, _ in input_schemas(schema, op)]
    assert "body (application/json)" in walked
    assert "query.limit" in walked
    assert "path.case_id" in walked
