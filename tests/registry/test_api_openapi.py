"""The OpenAPI document: well formed, in step with the routes, and true to real answers."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

API = "/api/v1"
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def test_document_is_public_and_names_openapi_3(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    body = response.get_json()
    assert body["openapi"].startswith("3.0")
    assert body["info"]["title"]
    assert body["info"]["version"]
    assert body["servers"] == [{"url": "/api/v1"}]
    assert body["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert body["security"] == [{"bearerAuth": []}]


def test_every_route_is_documented_and_every_operation_routed(app: Flask, document):
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix(API))
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            routed.add((path, method.lower(), rule.endpoint.removeprefix("api.")))
    documented = {(path, method, op["operationId"]) for path, method, op in operations(document)}
    assert routed == documented


def test_operations_are_complete(document):
    ids = [op["operationId"] for _path, _method, op in operations(document)]
    assert len(ids) == len(set(ids))
    for path, method, op in operations(document):
        where = f"{method.upper()} {path}"
        assert op["summary"], where
        responses = op["responses"]
        assert any(code.startswith("2") for code in responses), where
        public = op.get("security") == []
        assert public == (path in {"/token", "/openapi.json"}), where
        if not public:
            assert "401" in responses, where
        if method in {"post", "put"} and path != "/token":
            assert {"400", "403", "422"} <= set(responses), where
            assert op["requestBody"]["required"] is True, where
        if method == "put":
            body = resolve(document, op["requestBody"]["content"]["application/json"]["schema"])
            assert "version" in body["required"], where
            assert "409" in responses, where
        if method == "delete":
            assert "204" in responses, where
            assert "404" in responses, where


def test_path_parameters_are_declared(document):
    for path, item in document["paths"].items():
        template = set(re.findall(r"{(\w+)}", path))
        for method in METHODS & set(item):
            params = item.get("parameters", []) + item[method].get("parameters", [])
            declared = {p["name"] for p in params if p["in"] == "path"}
            assert declared == template, f"{method} {path}"
            assert all(p["required"] for p in params if p["in"] == "path")


def test_every_reference_resolves_and_every_schema_is_typed(document):
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                resolve(document, node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    for name, schema in document["components"]["schemas"].items():
        assert schema["type"] == "object", name
        for field, spec in schema["properties"].items():
            assert {"type", "$ref", "oneOf"} & set(spec), f"{name}.{field}"
        assert set(schema.get("required", [])) <= set(schema["properties"]), name


def test_per_page_bound_follows_the_configuration(app, client):
    app.config["API_PAGE_SIZE_MAX"] = 7
    body = client.get(f"{API}/openapi.json").get_json()
    params = body["paths"]["/citizens"]["get"]["parameters"]
    assert next(p for p in params if p["name"] == "per_page")["schema"]["maximum"] == 7


# --- real answers against the documented schemas --------------------------------------------


def validate(document: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> None:
    """A small JSON-schema check: types, nullability, required, enums, formats and bounds."""
    schema = resolve(document, schema)
    if value is None:
        assert schema.get("nullable") or "type" not in schema, f"{where}: null"
        return
    if "oneOf" in schema:
        passes = 0
        for option in schema["oneOf"]:
            try:
                validate(document, option, value, where)
                passes += 1
            except AssertionError:
                pass
        assert passes == 1, f"{where}: matches {passes} of oneOf"
        return
    _check_scalar(schema, value, where)
    if schema.get("type") == "object":
        assert isinstance(value, dict), f"{where}: not an object"
        assert set(schema.get("required", [])) <= set(value), f"{where}: missing fields"
        for key, item in value.items():
            spec = schema.get("properties", {}).get(key) or schema.get("additionalProperties")
            if isinstance(spec, dict):
                validate(document, spec, item, f"{where}.{key}")
    elif schema.get("type") == "array":
        assert isinstance(value, list), f"{where}: not an array"
        for index, item in enumerate(value):
            validate(document, schema["items"], item, f"{where}[{index}]")


def _check_scalar(schema: dict[str, Any], value: Any, where: str) -> None:
    kind = schema.get("type")
    expected = {"string": str, "integer": int, "number": (int, float), "boolean": bool}
    if kind in expected:
        assert isinstance(value, expected[kind]), f"{where}: {value!r} is not {kind}"
        assert kind == "boolean" or not isinstance(value, bool), f"{where}: {value!r} is a boolean"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in enum"
    if schema.get("format") == "date":
        date.fromisoformat(value)
        assert len(value) == 10, f"{where}: {value!r}"
    if schema.get("format") == "date-time":
        assert datetime.fromisoformat(value).tzinfo is not None, f"{where}: naive {value!r}"
    if "pattern" in schema:
        assert re.search(schema["pattern"], value), f"{where}: {value!r} ~ {schema['pattern']}"
    if "minimum" in schema:
        assert value >= schema["minimum"], f"{where}: {value!r} < minimum"
    if "maximum" in schema:
        assert value <= schema["maximum"], f"{where}: {value!r} > maximum"


class Tour:
    """Calls the API and checks every answer against the operation's documented response."""

    def __init__(self, client: FlaskClient, document: dict[str, Any], token: str) -> None:
        self.client, self.document = client, document
        self.headers = {"Authorization": f"Bearer {token}"}
        self.seen: set[tuple[str, str, int]] = set()

    def call(self, method: str, template: str, status: int, **kwargs: Any) -> Any:
        path = template.format(**kwargs.pop("ids", {}))
        response = self.client.open(
            API + path, method=method.upper(), headers=self.headers, **kwargs
        )
        assert response.status_code == status, (method, path, response.get_json())
        documented = self.document["paths"][template.split("?")[0]][method]["responses"]
        assert str(status) in documented, f"{method} {template}: {status} undocumented"
        content = resolve(self.document, documented[str(status)]).get("content")
        if content is None:
            assert not response.get_data(), f"{method} {template}: unexpected body"
        else:
            schema = content["application/json"]["schema"]
            validate(self.document, schema, response.get_json(), f"{method} {template}")
        self.seen.add((template.split("?")[0], method, status))
        return response.get_json()


def test_answers_match_the_documented_schemas(client, world, document):
    token = client.post(
        f"{API}/token", json={"username": "xa_a", "password": world.password}
    ).get_json()["token"]
    tour = Tour(client, document, token)
    a1, a = world.units["village_a1"].id, world.units["commune_a"].id

    tour.call("get", "/units", 200)
    tour.call("get", "/units/{code}", 200, ids={"code": "12865"})
    tour.call("get", "/units/{code}", 403, ids={"code": "12868"})
    tour.call("get", "/units/{code}/summary?year=2026", 200, ids={"code": "12865"})
    household = tour.call("post", "/households", 201, json={"village_id": a1, "address": "Xóm 1"})
    citizen = tour.call(
        "post", "/citizens", 201,
        json={"full_name": "Hoàng Thị Mai", "gender": "F", "birth_date": "1990-01-02",
              "village_id": a1, "household_id": household["id"], "relation": "head",
              "cccd": "034190012345", "phone": "0912345678"},
    )  # fmt: skip
    ids = {"citizen_id": citizen["id"], "household_id": household["id"]}
    tour.call("get", "/citizens?q=mai", 200)
    tour.call("get", "/citizens/{citizen_id}", 200, ids=ids)
    tour.call("put", "/citizens/{citizen_id}", 422, ids=ids, json={"full_name": ""})
    tour.call("put", "/citizens/{citizen_id}", 409, ids=ids, json={**citizen, "version": 99})
    tour.call("get", "/households", 200)
    tour.call("get", "/households/{household_id}", 200, ids=ids)
    clan = tour.call("post", "/clans", 201, json={"name": "Họ Hoàng", "unit_id": a})
    ids["clan_id"] = clan["id"]
    tour.call("put", "/clans/{clan_id}", 200, ids=ids, json={**clan, "note": "Chi 1"})
    tour.call("get", "/clans", 200)
    organisation = tour.call(
        "post",
        "/organisations",
        201,
        json={"name": "HTX Tân Hòa", "kind": "enterprise", "unit_id": a},
    )
    ids["organisation_id"] = organisation["id"]
    tour.call("get", "/organisations", 200)
    tour.call("get", "/organisations/{organisation_id}", 200, ids=ids)
    member = tour.call(
        "post", "/organisations/{organisation_id}/members", 201, ids=ids,
        json={"citizen_id": citizen["id"], "role": "staff"},
    )  # fmt: skip
    tour.call("get", "/organisations/{organisation_id}/members", 200, ids=ids)
    tour.call("get", "/activity-categories", 200)
    activity = tour.call(
        "post", "/citizens/{citizen_id}/activities", 201, ids=ids,
        json={"category_id": "tthtcd", "title": "Lớp tiếng Anh", "held_on": "2026-04-01",
              "hours": 30, "provider": "TTHTCĐ xã"},
    )  # fmt: skip
    ids["activity_id"] = activity["id"]
    tour.call("get", "/citizens/{citizen_id}/activities", 200, ids=ids)
    tour.call("get", "/activities/{activity_id}", 200, ids=ids)
    tour.call("put", "/activities/{activity_id}", 200, ids=ids, json={**activity, "hours": 31})
    tour.call("delete", "/activities/{activity_id}", 204, ids=ids)
    ids["member_id"] = member["id"]
    tour.call("delete", "/organisations/{organisation_id}/members/{member_id}", 204, ids=ids)
    tour.call("delete", "/organisations/{organisation_id}", 204, ids=ids)
    tour.call("delete", "/clans/{clan_id}", 204, ids=ids)
    tour.call("delete", "/households/{household_id}", 409, ids=ids)
    tour.call("delete", "/citizens/{citizen_id}", 204, ids=ids)
    tour.call("get", "/citizens/{citizen_id}", 404, ids=ids)
    tour.call("post", "/citizens", 400, data="{", content_type="application/json")
    tour.headers = {}
    tour.call("get", "/citizens", 401)
    assert len(tour.seen) >= 30
