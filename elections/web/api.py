"""The JSON API's edge, on flask-smorest: each operation is declared once, at its route.

A view of an :class:`ApiBlueprint` says, in its decorators and docstring, everything the
OpenAPI document tells about it::

    @bp.post("/elections/<int:election_id>/precincts")  # path, method; the tag is the bp's
    @roles("cec_admin")             # who may call it: security, x-roles, 401 and 403
    @errors(409)                    # refusals beyond those the rest implies
    @bp.body(PrecinctIn)            # the body (400/413/422), read by the view: read()
    @bp.response(201, PrecinctOut)  # the answer and its status, dumped by the schema
    def add_precinct(read, election_id):
        '''Add a precinct to an election      <- summary

        More words for the reader.          <- description
        '''

A path with an id adds 404. ``@bp.arguments(Schema)`` (flask-smorest's) parses before the
view runs, for a body or query that needs no scope check first; ``@bp.body`` waits until
the view asks, after it has checked the caller's scope.

The document is built from those declarations (elections/web/openapi.py); there is no
second table of operations to keep in step.
Every refusal keeps the envelope of api.md: the parser raises the service's own
:class:`~elections.core.errors.ServiceError`, and flask-smorest's error handlers are not
installed (elections/web/errors.py answers every status).
"""

from __future__ import annotations

import json
from copy import deepcopy
from functools import wraps

import flask_smorest
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, request
from flask_babel import gettext as _
from flask_smorest.spec.plugins import FlaskPlugin
from flask_smorest.utils import load_info_from_docstring
from marshmallow import INCLUDE, Schema, ValidationError, fields, validate
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter

from elections.core.db import INTEGER_MAX
from elections.core.errors import ErrorItem, ServiceError, invalid, validation_error

PREFIX = "/api/v1"
OPENAPI_VERSION = "3.0.3"
SECURITY_SCHEME = "bearerAuth"

SETUP, VOTERS, CANDIDATES, PROTOCOLS, OBSERVERS, RESULTS, AUDIT, META = (
    "Setup",
    "Voter lists",
    "Candidates",
    "Ballot and protocols",
    "Observers",
    "Results",
    "Audit",
    "Contract",
)
TAGS = {
    SETUP: "Units, parties, elections and precincts (the CEC administrators write; anyone reads).",
    VOTERS: "Precincts' voter lists (the organising commission), where do I vote (anyone), "
    "self-nominees' signature sheets checked against the lists.",
    CANDIDATES: "Nomination and registration decisions by the organising commission; the public "
    "status lookup.",
    PROTOCOLS: "The ballot paper (public) and precinct protocols.",
    OBSERVERS: "Accredited observers, scans of the signed protocols, observers' copies compared "
    "with the official figures, and the commission's answer to each difference.",
    RESULTS: "Public results and open data; certification and corrections by the chair.",
    AUDIT: "The hash-chained audit trail.",
    META: "This document.",
}
ERROR_DESCRIPTIONS = {
    400: "Malformed body (bad_request, duplicate_key).",
    401: "No or bad credentials (unauthorized).",
    403: "Wrong role or scope (forbidden).",
    404: "Not found (not_found), or outside the caller's scope.",
    409: "The state forbids it: deadline passed, version conflict, already certified, ineligible.",
    415: "The body is of a type this call does not read (unsupported_media_type).",
    413: "The body is larger than the service accepts (payload_too_large).",
    422: "Well-formed but invalid: field errors, control relations (at most 100 items, then "
    "too_many_errors with the count of the rest in more).",
    429: "Too many requests from this client (too_many_requests); see Retry-After.",
    503: "A part of the service is briefly unavailable (store_unavailable); see Retry-After.",
}
# The description of every paged list (api.md, "Lists").
PAGED = (
    "At most per_page items; X-Total-Count gives the number of all, and while more remain "
    'a Link: <...>; rel="next" header names the next page.'
)
PATH_PARAMETER_DESCRIPTIONS = {
    "election_id": "Election id.",
    "precinct_id": "Precinct id (of that election).",
    "candidate_id": "Candidate id.",
}


# --- The error envelope, as the document shows it --------------------------------------------


class ErrorItemOut(Schema):
    """One refusal. Some codes add their own keys (``relation``, ``left``, ``right``, ...)."""

    class Meta:
        unknown = INCLUDE  # documented as open to further keys

    code = fields.String(required=True)
    message = fields.String(required=True)
    field = fields.String()
    legal_basis = fields.String()


class ErrorOut(Schema):
    """The one error envelope of the API, whatever the status. It lists at most 100 items;
    when there were more, a last item ``too_many_errors`` gives their number in ``more``."""

    errors = fields.List(
        fields.Nested(ErrorItemOut), required=True, validate=validate.Length(min=1)
    )


def error_response(status: int) -> dict:
    return {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


# --- Reading a request -----------------------------------------------------------------------


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict:
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def json_body() -> dict:
    """The request body as a JSON object, or a 400 that says why not.

    A key given twice is refused rather than silently keeping the last value: a
    protocol naming a candidate twice must not pass.
    """
    if not request.is_json:
        raise ServiceError.one(
            400, "bad_request", _("Send JSON with Content-Type: application/json.")
        )
    try:
        body = json.loads(request.get_data(cache=True), object_pairs_hook=_reject_duplicates)
    except _DuplicateKey as error:
        raise invalid(
            [ErrorItem("duplicate_key", _("This key is given more than once."), field=error.key)]
        ) from error
    except (ValueError, RecursionError) as error:  # nesting too deep to follow is unreadable too
        raise ServiceError.one(400, "bad_request", _("The body is not valid JSON.")) from error
    if not isinstance(body, dict):
        raise ServiceError.one(400, "bad_request", _("The body must be a JSON object."))
    return body


class StrictParser(FlaskParser):
    """webargs as the API has always read requests: the body through :func:`json_body`, each
    schema's own ``unknown`` policy, and a refusal in the envelope of api.md."""

    DEFAULT_UNKNOWN_BY_LOCATION = dict.fromkeys(FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION)

    def load_json(self, req, schema):
        return json_body()

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        (messages,) = error.messages.values()  # webargs files them under their one location
        raise validation_error(ValidationError(messages))


PARSER = StrictParser()


def query(schema: Schema) -> dict:
    """The query string read by ``schema``, for code that needs it before the view runs (a
    cache key): the same parsing, and the same 422, as ``@bp.arguments(..., location="query")``."""
    return PARSER.parse(schema, location="query")


# --- Declaring an operation ----------------------------------------------------------------


def errors(*statuses: int):
    """The refusals a view can answer beyond those its access rule, path and arguments imply
    (409 for a state that forbids it, 429 for a rate limit, ...)."""

    def decorate(view):
        view._apidoc = deepcopy(getattr(view, "_apidoc", {}))
        view._apidoc.setdefault("errors", []).extend(statuses)
        return view

    return decorate


def _can_refuse(schema: type[Schema] | Schema) -> bool:
    """A query schema that can refuse a query: one of its fields is required or validated."""
    instance = schema() if isinstance(schema, type) else schema
    return any(field.required or field.validators for field in instance.fields.values())


def _implied_errors(view, rule: str, doc: dict) -> set[int]:
    access = view.access_rule
    statuses = {401, *doc.pop("errors", ())}
    if not access.public:
        statuses.add(403)
    if "<" in rule:
        statuses.add(404)  # an id that names nothing
    arguments = doc.get("arguments", {})
    arguments.pop("responses", None)  # flask-smorest's own 422 entry: the statuses come next
    for parameter in arguments.get("parameters", ()):
        if parameter["in"] == "json":
            statuses |= {400, 413, 422}
        elif _can_refuse(parameter["schema"]):
            statuses.add(422)
    manual = doc.get("manual_doc", {})
    if "requestBody" in manual:  # a body the view reads itself (a patch merged by the service)
        statuses |= {400, 413, 422}
    return statuses


class ApiBlueprint(flask_smorest.Blueprint):
    """A feature's part of /api/v1, under one tag of the document."""

    ARGUMENTS_PARSER = PARSER

    def __init__(self, name: str, import_name: str, *, tag: str, url_prefix: str | None = PREFIX):
        super().__init__(name, import_name, url_prefix=url_prefix)
        self.tag = tag

    def body(self, schema: type[Schema] | Schema):
        """The JSON body of ``schema``, documented as ``arguments`` documents it, but read when
        the view calls the ``read`` it is passed first: after the view has found what the path
        names and checked the caller's scope, so that a caller outside it gets its 403 or 404
        and learns nothing of the body (and a body is never parsed for nothing)."""
        instance = schema() if isinstance(schema, type) else schema

        def read() -> dict:
            return PARSER.parse(instance, location="json")

        def decorate(view):
            @wraps(view)
            def reading(*args, **kwargs):
                return view(read, *args, **kwargs)

            reading._apidoc = deepcopy(getattr(reading, "_apidoc", {}))
            parameters = reading._apidoc.setdefault("arguments", {}).setdefault("parameters", [])
            parameters.append({"in": "json", "required": True, "schema": instance})
            return reading

        return decorate

    def add_url_rule(
        self, rule, endpoint=None, view_func=None, provide_automatic_options=None, **options
    ):
        """``document=False``: a route of this blueprint that is not an API operation."""
        if not options.pop("document", True):
            options.pop("parameters", None), options.pop("tags", None)  # the document's only
            return Blueprint.add_url_rule(
                self, rule, endpoint, view_func, provide_automatic_options, **options
            )
        endpoint = endpoint or view_func.__name__
        self._declare(view_func, rule, endpoint)
        options["tags"] = [self.tag]
        return super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **options)

    def _declare(self, view, rule: str, endpoint: str) -> None:
        """What the route's decorators and docstring say, as the operation's document."""
        access = getattr(view, "access_rule", None)
        if access is None:
            raise TypeError(f"{self.name}.{endpoint}: say who may call it (@public or @roles)")
        doc = deepcopy(getattr(view, "_apidoc", {}))
        statuses = _implied_errors(view, rule, doc)
        info = load_info_from_docstring(view.__doc__ or "")
        if not info.get("summary"):
            raise TypeError(f"{self.name}.{endpoint}: its docstring's first line is its summary")
        manual = doc.setdefault("manual_doc", {})
        description = " ".join(info.get("description", manual.get("description", "")).split())
        if not access.public:
            description = (f"Roles: {', '.join(access.roles)}. " + description).strip()
        manual.update(
            operationId=f"{self.name}.{endpoint}",
            summary=" ".join(info["summary"].split()),
            security=[] if access.public else [{SECURITY_SCHEME: []}],
        )
        manual["x-roles"] = [] if access.public else list(access.roles)
        if description:
            manual["description"] = description
        responses = manual.setdefault("responses", {})
        responses.update({str(status): error_response(status) for status in sorted(statuses)})
        view._apidoc = doc


# --- The document's machinery ---------------------------------------------------------------


def schema_name(schema) -> str:
    """UnitOut -> Unit, NameSchema -> Name, UnitIn stays UnitIn."""
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema").removesuffix("Out")


class _PathPlugin(FlaskPlugin):
    """Paths relative to the server /api/v1, and the path parameters, described, in each
    operation (ids are 1 to the largest INTEGER a row can hold)."""

    def __init__(self):
        super().__init__()
        self.converter_mapping[IntegerConverter] = lambda converter: {
            "type": "integer",
            "minimum": 1,
            "maximum": INTEGER_MAX,
        }

    def path_helper(self, rule, operations, parameters, **kwargs):
        path_parameters = self.rule_to_params(rule)
        for parameter in path_parameters:
            name = parameter["name"]
            parameter["description"] = PATH_PARAMETER_DESCRIPTIONS.get(name, name)
        for operation in operations.values():
            own = operation.get("parameters", [])
            operation["parameters"] = [*deepcopy(path_parameters), *own]
        return self.flaskpath2openapi(rule.rule).removeprefix(PREFIX)


def _shown_as(self, field, ret, **kwargs) -> dict:
    """apispec attribute function, run last: ``metadata={"openapi": {...}}`` of a field
    (elections/web/schema_fields.py ``shown_as``)."""
    return field.metadata.get("openapi", {})


class ElectionsApi(flask_smorest.Api):
    """flask-smorest's Api, answering errors the service's way and tagging by feature."""

    DEFAULT_ERROR_RESPONSE_NAME = None  # each operation lists the statuses it can answer
    ERROR_SCHEMA = ErrorOut  # the document's "Error"

    def __init__(self, app: Flask):
        super().__init__(
            app,
            spec_kwargs={
                "title": "Akim elections API",
                "version": "1",
                "openapi_version": OPENAPI_VERSION,
                "flask_plugin": _PathPlugin(),
                "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
                "info": {
                    "description": "JSON API of the election administration service for the "
                    "direct elections of akims in Kazakhstan. Every error has the shape of the "
                    "Error schema.",
                },
                "servers": [{"url": PREFIX}],
            },
        )
        self.spec.components.security_scheme(
            SECURITY_SCHEME,
            {
                "type": "http",
                "scheme": "bearer",
                "description": "A token from `flask --app elections users token NAME`.",
            },
        )
        self.ma_plugin.converter.add_attribute_function(_shown_as)
        for name, description in TAGS.items():
            self.spec.tag({"name": name, "description": description})

    def _register_error_handlers(self):
        """None: elections/web/errors.py answers every status in the envelope."""

    def _register_pagination_header(self):
        """None: the lists page with their own headers (elections/territory/lists.py)."""


def install(app: Flask, blueprints) -> None:
    """The API's blueprints, served at once; their document is built when first asked for."""
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    app.extensions["elections_api"] = tuple(blueprints)


def build_document(app: Flask) -> dict:
    """The OpenAPI document of the app's API blueprints, from their routes' declarations.

    Built on demand, not in create_app: it costs about as much as the rest of create_app
    (45 ms here), which every worker, flask command and test app would pay for nothing.
    """
    api = ElectionsApi(app)
    for blueprint in app.extensions["elections_api"]:
        # Without flask-smorest's tag per blueprint: the tags are the features'.
        blueprint.register_views_in_doc(api, app, api.spec, name=blueprint.name, parameters=None)
    return api.spec.to_dict()
