"""The OpenAPI 3 document of /api/v1, and a page for people that reads it.

The document is flask-smorest's, built from the declarations at each route
(elections/web/api.py): paths from the URL map, shapes from the marshmallow schemas through
apispec, summaries from the views' docstrings, statuses from their decorators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask, current_app, render_template
from werkzeug.routing import Rule

from elections.web.access import public
from elections.web.api import META, PREFIX, ApiBlueprint, build_document

bp = ApiBlueprint("openapi", __name__, tag=META, url_prefix=None)


def api_rules(app: Flask) -> list[Rule]:
    """Every rule under /api/v1, in a stable order."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(PREFIX + "/")]
    return sorted(rules, key=lambda rule: (rule.rule, rule.endpoint))


def rule_methods(rule: Rule) -> list[str]:
    return sorted(m.lower() for m in (rule.methods or ()) if m not in ("HEAD", "OPTIONS"))


def openapi_path(rule: Rule) -> str:
    """/api/v1/elections/<int:election_id> -> /elections/{election_id} (the server is /api/v1)."""
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
    return path.removeprefix(PREFIX)


def document() -> dict:
    """The document of the current app, built once per app."""
    cached = current_app.extensions.get("openapi_document")
    if cached is None:
        cached = current_app.extensions["openapi_document"] = build_document(current_app)
    return cached


# --- Views -----------------------------------------------------------------------------------


@bp.get(PREFIX + "/openapi.json")
@public
@bp.doc(
    responses={
        "200": {
            "description": "An OpenAPI 3 document.",
            "content": {
                "application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}
            },
        }
    }
)
def openapi_json():
    """This OpenAPI document"""
    return document()


@bp.get("/api", document=False)
@public
def page():
    spec = document()
    return render_template("api.html", groups=page_groups(spec), schemas=page_schemas(spec))


@dataclass(frozen=True)
class SchemaName:
    """A request or response shape as the page shows it: its label, and its schema to link."""

    label: str
    target: str | None = None


@dataclass(frozen=True)
class PageOperation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    roles: tuple[str, ...]
    parameters: tuple[dict, ...]
    request: SchemaName | None
    responses: tuple[tuple[str, SchemaName | None], ...]


def _ref(schema: dict) -> str | None:
    return schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else None


def _schema_name_of(content: dict | None) -> SchemaName | None:
    """The shape a request or response carries: "Unit", "[Unit]", "text/csv", "object"."""
    if not content:
        return None
    media_type, body = next(iter(content.items()))
    schema = body.get("schema", {})
    if _ref(schema):
        return SchemaName(_ref(schema), _ref(schema))
    if schema.get("type") == "array" and _ref(schema.get("items", {})):
        name = _ref(schema["items"])
        return SchemaName(f"[{name}]", name)
    if media_type != "application/json":
        return SchemaName(media_type)
    return SchemaName(schema.get("type", "any"))


def type_label(schema: dict) -> str:
    """A short type for the page: "string (date)", "[Violation]", "Name", "integer | null"."""
    if _ref(schema):
        label = _ref(schema)
    elif schema.get("type") == "array":
        label = "[" + type_label(schema.get("items", {})) + "]"
    elif "type" in schema:
        label = schema["type"] + (f" ({schema['format']})" if "format" in schema else "")
    elif "allOf" in schema or "oneOf" in schema:
        label = " | ".join(type_label(s) for s in schema.get("allOf", schema.get("oneOf", [])))
    else:
        label = "any"
    if "enum" in schema:
        label += ": " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    return label + (" | null" if schema.get("nullable") else "")


def _without_roles(description: str) -> str:
    """The page shows the roles on a line of their own."""
    return re.sub(r"^Roles: [^.]*\.\s*", "", description)


def page_groups(spec: dict) -> list[tuple[dict, list[PageOperation]]]:
    """Operations grouped by tag, in the order of the tags, for templates/api.html."""
    tags = {tag["name"]: tag for tag in spec.get("tags", [])}
    groups: dict[str, list[PageOperation]] = {name: [] for name in tags}
    server = spec["servers"][0]["url"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            parameters = tuple(
                {**p, "type": type_label(p.get("schema", {}))} for p in op.get("parameters", ())
            )
            groups.setdefault(op["tags"][0], []).append(
                PageOperation(
                    method=method.upper(),
                    path=server + path,
                    anchor=op["operationId"].replace(".", "-"),
                    summary=op["summary"],
                    description=_without_roles(op.get("description", "")),
                    roles=tuple(op.get("x-roles", ())),
                    parameters=parameters,
                    request=_schema_name_of(op.get("requestBody", {}).get("content")),
                    responses=tuple(
                        (status, _schema_name_of(answer.get("content")))
                        for status, answer in op["responses"].items()
                    ),
                )
            )
    return [(tags.get(name, {"name": name}), ops) for name, ops in groups.items() if ops]


def page_schemas(spec: dict) -> list[dict]:
    """Every named schema with its fields, their types and whether they are required."""
    schemas = []
    for name, schema in sorted(spec["components"]["schemas"].items()):
        required = set(schema.get("required", ()))
        schemas.append(
            {
                "name": name,
                "description": schema.get("description", ""),
                "fields": [
                    (field, type_label(prop), field in required)
                    for field, prop in schema.get("properties", {}).items()
                ],
            }
        )
    return schemas
