"""The error documents, as the OpenAPI schema tells clients (issue 8: schemathesis checks it).

Every operation documents its 422 (``ValidationProblem``: one entry per field and a message
saying nothing was stored) and, as ``default``, the other error answers (``Problem``:
401, 403, 404, 409, 413, 429, 503; ``detail`` is a sentence or a list of fields).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

FIELD_PROBLEM: dict[str, Any] = {
    "type": "object",
    "required": ["field", "message"],
    "properties": {
        "field": {"type": "string", "description": "The field, e.g. levels[0].staffed_beds"},
        "message": {"type": "string"},
        "type": {"type": "string"},
    },
}
VALIDATION_PROBLEM: dict[str, Any] = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "array", "items": {"$ref": "#/components/schemas/FieldProblem"}},
        "message": {"type": "string"},
        "results": {"type": "array", "items": {"type": "object"}},
    },
}
PROBLEM: dict[str, Any] = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"$ref": "#/components/schemas/FieldProblem"}},
            ]
        },
        "message": {"type": "string"},
    },
}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def document_problems(app: FastAPI) -> None:
    """Replace FastAPI's own 422 schema with ours, and add the other errors as ``default``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas.update(
            FieldProblem=FIELD_PROBLEM, ValidationProblem=VALIDATION_PROBLEM, Problem=PROBLEM
        )
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                responses["422"] = _json("ValidationProblem", "Invalid input; nothing stored")
                responses.setdefault("default", _json("Problem", "Any other error"))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
