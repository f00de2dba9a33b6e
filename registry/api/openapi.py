"""The API's OpenAPI 3.0 document, built from a small hand-written table of operations.

``tests/registry/test_api_openapi.py`` checks that this table and the blueprint's routes list
the same paths and methods, and that real answers match the response schemas.
"""

from __future__ import annotations

from typing import Any

from registry.api.http import MAX_QUERY_LENGTH
from registry.api.schemas import ID, REQUEST_SCHEMAS, RESPONSE_SCHEMAS, Schema

ERRORS = {
    400: ("BadRequest", "malformed JSON, or a body that is not a JSON object"),
    401: ("Unauthorized", "missing, unknown or expired bearer token (or bad credentials)"),
    403: ("Forbidden", "a unit outside the caller's scope, or a write by a viewer"),
    404: ("NotFound", "no such object, or one outside the caller's scope"),
    409: ("Conflict", "stale version, duplicate, or an object still in use"),
    413: ("PayloadTooLarge", "a body larger than the server accepts (20 MB by default)"),
    422: ("ValidationError", "invalid fields; `fields` maps each field to its messages"),
    429: ("TooManyRequests", "too many attempts; try again later"),
}
LIST_ERRORS = (400, 401, 403, 404, 422)
CREATE_ERRORS = (400, 401, 403, 409, 413, 422)
UPDATE_ERRORS = (400, 401, 403, 404, 409, 413, 422)
DELETE_ERRORS = (401, 403, 404, 409)


def _param(name: str, where: str, schema: Schema, description: str = "") -> Schema:
    param = {"name": name, "in": where, "required": where == "path", "schema": schema}
    if description:
        param["description"] = description
    return param


def _query(name: str, schema: Schema, description: str = "") -> Schema:
    return _param(name, "query", schema, description)


def _path_id(name: str) -> Schema:
    return _param(name, "path", ID)


def _paging(page_size_max: int) -> list[Schema]:
    return [
        _query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}),
        _query("per_page", {"type": "integer", "minimum": 1, "maximum": page_size_max}),
    ]


# an empty filter is no filter, and a long search is cut (as on the web pages): neither is
# refused, so the document sets no minLength or maxLength that the server would not enforce
UNIT_FILTER = _query("unit", {"type": "string"}, "code of a unit in scope (empty: all in scope)")
SEARCH = _query(
    "q",
    {"type": "string"},
    f"accent-insensitive name search (only its first {MAX_QUERY_LENGTH} characters count)",
)
YEAR = _query("year", {"type": "integer", "minimum": 1900, "maximum": 2100})


def _json(schema: str | Schema) -> Schema:
    """A JSON body: a component schema by name, or an inline schema."""
    if isinstance(schema, str):
        schema = {"$ref": f"#/components/schemas/{schema}"}
    return {"application/json": {"schema": schema}}


def _op(
    op_id: str,
    summary: str,
    *,
    ok: str | Schema | None,
    status: int = 200,
    errors: tuple[int, ...] = (401,),
    params: list[Schema] | None = None,
    body: str | None = None,
    public: bool = False,
) -> Schema:
    """One operation; ``ok`` is the success schema or its name (None: no content)."""
    success: Schema = {"description": "success"}
    if ok is not None:
        success["content"] = _json(ok)
    if status == 201:
        success["headers"] = {"Location": {"schema": {"type": "string"}}}
    operation: Schema = {
        "operationId": op_id,
        "summary": summary,
        "responses": {
            str(status): success,
            **{str(code): {"$ref": f"#/components/responses/{ERRORS[code][0]}"} for code in errors},
        },
    }
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = {"required": True, "content": _json(body)}
    if public:
        operation["security"] = []
    return operation


def _crud(path: str, name: str, id_name: str, filters: list[Schema]) -> dict[str, Schema]:
    """The five operations of a collection and its items (operation ids are the endpoints)."""
    plural, singular = path.strip("/"), name.lower()
    return {
        path: {
            "get": _op(f"list_{plural}", f"List {plural} in scope", ok=f"{name}Page",
                       errors=LIST_ERRORS, params=filters),
            "post": _op(f"create_{singular}", f"Create a {singular}", ok=name, status=201,
                        errors=CREATE_ERRORS, body=f"{name}Input"),
        },
        f"{path}/{{{id_name}}}": {
            "parameters": [_path_id(id_name)],
            "get": _op(f"get_{singular}", f"One {singular}", ok=name, errors=(401, 404)),
            "put": _op(f"update_{singular}", f"Replace a {singular} (send its version)",
                       ok=name, errors=UPDATE_ERRORS, body=f"{name}Update"),
            "delete": _op(f"delete_{singular}", f"Delete a {singular}", ok=None, status=204,
                          errors=DELETE_ERRORS),
        },
    }  # fmt: skip


def _paths(page_size_max: int) -> dict[str, Schema]:
    paging = _paging(page_size_max)
    citizen_filters = [UNIT_FILTER, SEARCH, _query("household", ID, "household id"), *paging]
    group_filters = [UNIT_FILTER, SEARCH, *paging]
    return {
        "/token": {"post": _op("token", "Exchange a username and password for a bearer token",
                               ok="Token", errors=(400, 401, 413, 422, 429), body="TokenRequest",
                               public=True)},
        "/openapi.json": {"get": _op("openapi", "This document", ok={"type": "object"},
                                     errors=(), public=True)},
        "/units": {"get": _op("list_units", "Children of a unit (default: where the caller starts)",
                              ok="UnitList", errors=LIST_ERRORS, params=[
                                  _query("parent", {"type": "string"},
                                         "code of a unit in scope (empty: where the caller "
                                         "starts)"),
                                  _query("on", {"type": "string", "format": "date"},
                                         "only units valid on this day")])},
        "/units/{code}": {"parameters": [_param("code", "path", {"type": "string"})],
                          "get": _op("get_unit", "One unit", ok="Unit", errors=(401, 403, 404))},
        "/units/{code}/summary": {
            "parameters": [_param("code", "path", {"type": "string"})],
            "get": _op("get_unit_summary", "A unit's figures for a year (default: this year)",
                       ok="UnitSummary", errors=LIST_ERRORS, params=[YEAR])},
        **_crud("/citizens", "Citizen", "citizen_id", citizen_filters),
        "/citizens/{citizen_id}/activities": {
            "parameters": [_path_id("citizen_id")],
            "get": _op("list_citizen_activities", "A citizen's activities, newest first",
                       ok="ActivityPage", errors=(400, 401, 404, 422), params=[YEAR, *paging]),
            "post": _op("create_activity", "Record an activity for the citizen", ok="Activity",
                        status=201, errors=(*CREATE_ERRORS, 404), body="ActivityInput")},
        "/activities/{activity_id}": {
            "parameters": [_path_id("activity_id")],
            "get": _op("get_activity", "One activity", ok="Activity", errors=(401, 404)),
            "put": _op("update_activity", "Replace an activity (send its version)",
                       ok="Activity", errors=UPDATE_ERRORS, body="ActivityUpdate"),
            "delete": _op("delete_activity", "Delete an activity", ok=None, status=204,
                          errors=DELETE_ERRORS)},
        "/activity-categories": {"get": _op("list_activity_categories", "Active categories",
                                            ok="ActivityCategoryList")},
        **_crud("/households", "Household", "household_id", group_filters),
        **_crud("/clans", "Clan", "clan_id", group_filters),
        **_crud("/organisations", "Organisation", "organisation_id", group_filters),
        "/organisations/{organisation_id}/members": {
            "parameters": [_path_id("organisation_id")],
            "get": _op("list_members", "The organisation's members", ok="MemberList",
                       errors=(401, 404)),
            "post": _op("add_member", "Add a citizen of the caller's scope", ok="Member",
                        status=201, errors=(*CREATE_ERRORS, 404), body="MemberInput")},
        "/organisations/{organisation_id}/members/{member_id}": {
            "parameters": [_path_id("organisation_id"), _path_id("member_id")],
            "delete": _op("remove_member", "Remove a membership", ok=None, status=204,
                          errors=DELETE_ERRORS)},
    }  # fmt: skip


def build_document(page_size_max: int) -> dict[str, Any]:
    """The whole OpenAPI 3.0 document (``page_size_max`` is the ``per_page`` bound)."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Learning-society registry API",
            "version": "1.0.0",
            "description": (
                "Staff access to the registry. Ask `POST /token` for a bearer token and send it "
                "as `Authorization: Bearer <token>`; a web session cookie is not accepted. "
                "Dates are ISO 8601 (yyyy-mm-dd). A unit outside the caller's scope answers "
                "403, an object outside it 404. `PUT` replaces the whole object and must carry "
                "the `version` that was read; a stale version answers 409."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": _paths(page_size_max),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {**REQUEST_SCHEMAS, **RESPONSE_SCHEMAS},
            "responses": {
                name: {"description": description, "content": _json("Error")}
                for name, description in ERRORS.values()
            },
        },
    }
