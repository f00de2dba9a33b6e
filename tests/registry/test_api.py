"""The JSON API: tokens, authentication, scoping, and every resource's reads and writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import ApiToken, Citizen

API = "/api/v1"


class ApiClient:
    """The test client, sending one user's bearer token with every request."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(API + path, headers=self.headers, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.client.post(API + path, headers=self.headers, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.client.put(API + path, headers=self.headers, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.client.delete(API + path, headers=self.headers, **kwargs)


@pytest.fixture
def api(client: FlaskClient, world: Any) -> Callable[[str], ApiClient]:
    """``api("xa_a")``: a client authenticated with a fresh token of that user."""

    def for_user(username: str) -> ApiClient:
        response = client.post(
            f"{API}/token", json={"username": username, "password": world.password}
        )
        assert response.status_code == 200, response.get_json()
        return ApiClient(client, response.get_json()["token"])

    return for_user


def citizen_body(world: Any, **fields: Any) -> dict[str, Any]:
    return {
        "full_name": "Nguyễn Thị Bích Hằng",
        "gender": "F",
        "birth_date": "1985-04-30",
        "village_id": world.units["village_a1"].id,
        **fields,
    }


def activity_body(**fields: Any) -> dict[str, Any]:
    return {
        "category_id": "tthtcd",
        "title": "Lớp tin học cơ bản",
        "held_on": "2026-03-02",
        "hours": 12.5,
        **fields,
    }


# --- tokens ---------------------------------------------------------------------------------


def test_token_is_issued_for_good_credentials(client, world):
    response = client.post(f"{API}/token", json={"username": "xa_a", "password": world.password})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=11) < expires - datetime.now(UTC) <= timedelta(hours=12)
    units = client.get(f"{API}/units", headers={"Authorization": f"Bearer {body['token']}"})
    assert units.status_code == 200


def test_stored_token_is_only_a_digest(client, world):
    token = client.post(
        f"{API}/token", json={"username": "xa_a", "password": world.password}
    ).get_json()["token"]
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert stored
    assert token not in stored


@pytest.mark.parametrize(
    ("username", "password"), [("xa_a", "wrong-password"), ("nobody", "mat-khau-123")]
)
def test_bad_credentials_get_the_same_401(client, world, username, password):
    response = client.post(f"{API}/token", json={"username": username, "password": password})
    assert response.status_code == 401
    assert response.get_json()["error"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_inactive_user_gets_no_token_and_loses_old_ones(client, world, api):
    alice = api("xa_a")
    world.users["xa_a"].active = False
    db.session.commit()
    response = client.post(f"{API}/token", json={"username": "xa_a", "password": world.password})
    assert response.status_code == 401
    assert alice.get("/units").status_code == 401


def test_token_requires_both_fields(client, world):
    response = client.post(f"{API}/token", json={"username": "xa_a"})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"password"}
    assert client.post(f"{API}/token", json={"username": 1, "password": 2}).status_code == 422


def test_expired_token_is_refused(api):
    alice = api("xa_a")
    for row in db.session.scalars(select(ApiToken)):
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    response = alice.get("/units")
    assert response.status_code == 401
    assert response.is_json


@pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute"}],
    indirect=True,
)
def test_token_requests_are_rate_limited(app, client, world):
    attempt = {"username": "xa_a", "password": "wrong-password"}
    codes = [client.post(f"{API}/token", json=attempt).status_code for _unused in range(3)]
    assert codes == [401, 401, 429]
    assert client.post(f"{API}/token", json=attempt).get_json()["status"] == 429


@pytest.fixture
def app_config(app_config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """Let a test override settings with ``@pytest.mark.parametrize("app_config", [{...}])``."""
    return {**app_config, **getattr(request, "param", {})}


# --- authentication -------------------------------------------------------------------------


def test_missing_token_answers_401_json_not_a_redirect(client, world):
    response = client.get(f"{API}/citizens")
    assert response.status_code == 401
    assert response.is_json
    assert "Bearer" in response.get_json()["error"]


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Basic eGFfYTptYXQta2hhdQ==", "Bearer"])
def test_unknown_tokens_answer_401(client, world, header):
    assert client.get(f"{API}/units", headers={"Authorization": header}).status_code == 401


def test_session_cookie_alone_does_not_authenticate(login, world):
    browser = login("xa_a")
    assert browser.get(f"{API}/citizens").status_code == 401
    response = browser.post(f"{API}/citizens", json=citizen_body(world))
    assert response.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Citizen)) == 0


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True, ids=["csrf-on"])
def test_api_is_exempt_from_csrf(app, api, world):
    response = api("xa_a").post("/citizens", json=citizen_body(world))
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/citizens"),
        ("put", "/citizens/{citizen}"),
        ("delete", "/citizens/{citizen}"),
        ("post", "/citizens/{citizen}/activities"),
        ("post", "/households"),
        ("post", "/clans"),
        ("post", "/organisations"),
    ],
)
def test_viewers_cannot_write(api, world, make_citizen, method, path):
    citizen = make_citizen()
    viewer = api("xem_a")
    url = path.format(citizen=citizen.id)
    response = getattr(viewer, method)(url, json={**citizen_body(world), "version": 1})
    assert response.status_code == 403
    assert viewer.get(f"/citizens/{citizen.id}").status_code == 200


# --- request hygiene ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data", ["{not json", "[1, 2]", "null", "", "[" * 100_000, b"\xff\xfe{"], ids=repr
)
def test_malformed_bodies_answer_400_json(api, data):
    response = api("xa_a").post("/citizens", data=data, content_type="application/json")
    assert response.status_code == 400
    assert response.is_json
    assert response.get_json()["status"] == 400


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_date", 12),
        ("full_name", 5),
        ("village_id", "abc"),
        ("village_id", True),
        ("village_id", 10**40),
        ("household_id", [1]),
        ("cccd", {"a": 1}),
        ("full_name", "Nguyễn\x00 Văn"),
        ("full_name", None),
    ],
)
def test_wrong_types_answer_422(api, world, field, value):
    response = api("xa_a").post("/citizens", json=citizen_body(world, **{field: value}))
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


def test_huge_ids_and_nul_characters_are_refused_cleanly(api):
    alice = api("xa_a")
    assert alice.get("/citizens/99999999999999999999999").status_code == 404
    assert alice.get("/citizens?q=a%00b").status_code == 400
    assert alice.get("/units/12%0065").status_code == 404


# --- units ----------------------------------------------------------------------------------


def codes(response: Any) -> list[str]:
    return [item["code"] for item in response.get_json()["items"]]


def test_units_start_where_the_caller_works(api):
    assert codes(api("xa_a").get("/units")) == ["12865"]
    assert codes(api("admin").get("/units")) == ["34"]
    assert codes(api("xa_a").get("/units?parent=12865")) == ["1286501", "1286502"]


def test_units_outside_scope_answer_403_and_unknown_404(api):
    alice = api("xa_a")
    assert alice.get("/units?parent=12868").status_code == 403
    assert alice.get("/units?parent=344").status_code == 403
    assert alice.get("/units/12868").status_code == 403
    assert alice.get("/units?parent=99999").status_code == 404
    assert alice.get("/units/99999").status_code == 404


def test_unit_detail_and_validity_filter(api, world):
    body = api("huyen").get("/units/1286501").get_json()
    assert (body["name"], body["kind"]) == ("Đông", "thôn")
    assert body["parent_code"] == "12865"
    assert body["level"] == "village"
    world.units["village_a2"].valid_to = datetime(2025, 6, 30, tzinfo=UTC).date()
    db.session.commit()
    assert codes(api("xa_a").get("/units?parent=12865&on=2026-01-01")) == ["1286501"]
    assert api("xa_a").get("/units?parent=12865&on=30/06/2025").status_code == 422


def test_unit_summary_counts_the_subtree_for_the_year(api, world, make_citizen):
    alice = api("xa_a")
    hang = make_citizen("Nguyễn Thị Hằng")
    make_citizen("Trần Văn Nam", village="village_b1")
    make_citizen("Lê Văn Cũ", status="moved", left_on="2025-01-01")
    alice.post("/households", json={"village_id": world.units["village_a1"].id})
    alice.post("/clans", json={"name": "Họ Nguyễn", "unit_id": world.units["commune_a"].id})
    alice.post(
        "/organisations",
        json={"name": "Trường Tiểu học", "kind": "school", "unit_id": world.units["commune_a"].id},
    )
    for held_on in ("2025-05-01", "2026-01-15", "2026-02-20"):
        alice.post(f"/citizens/{hang.id}/activities", json=activity_body(held_on=held_on))
    body = alice.get("/units/12865/summary?year=2026").get_json()
    assert body["year"] == 2026
    assert body["unit"]["code"] == "12865"
    assert body["counts"] == {
        "villages": 2,
        "households": 1,
        "clans": 1,
        "organisations": 1,
        "citizens": 1,  # the one who moved away no longer counts
        "activities": 2,
    }
    assert body["titles"] == {}
    assert api("huyen").get("/units/344/summary?year=2025").get_json()["counts"]["citizens"] == 2


def test_unit_summary_checks_scope_and_year(api):
    assert api("xa_b").get("/units/12865/summary?year=2026").status_code == 403
    assert api("xa_a").get("/units/12865/summary?year=20x6").status_code == 422
    assert api("xa_a").get("/units/12865/summary?year=1800").status_code == 422
    assert api("xa_a").get("/units/12865/summary").get_json()["year"] == datetime.now(UTC).year


# --- citizens -------------------------------------------------------------------------------


def test_create_read_update_delete_citizen(api, world):
    alice = api("xa_a")
    response = alice.post("/citizens", json=citizen_body(world, cccd="034185012345"))
    assert response.status_code == 201
    created = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/citizens/{created['id']}")
    assert created["birth_date"] == "1985-04-30"
    assert created["given_name"] == "Hằng"
    assert created["cccd"] == "034185012345"
    assert created["village_code"] == "1286501"
    assert created["version"] == 1
    assert "password_hash" not in response.get_data(as_text=True)

    fetched = alice.get(f"/citizens/{created['id']}").get_json()
    assert fetched == created

    changed = {**fetched, "phone": "0912345678", "full_name": "Nguyễn Thị Bích Hằng"}
    response = alice.put(f"/citizens/{created['id']}", json=changed)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["phone"] == "0912345678"
    assert response.get_json()["version"] == 2

    assert alice.delete(f"/citizens/{created['id']}").status_code == 204
    assert alice.get(f"/citizens/{created['id']}").status_code == 404


def test_citizen_validation_errors_name_each_field(api, world):
    body = citizen_body(
        world, full_name=" ", gender="X", birth_date="2999-01-01", cccd="123", phone="12"
    )
    response = api("xa_a").post("/citizens", json=body)
    assert response.status_code == 422
    payload = response.get_json()
    assert payload["status"] == 422
    assert payload["error"]
    assert set(payload["fields"]) == {"full_name", "gender", "birth_date", "cccd", "phone"}
    assert all(isinstance(m, str) for messages in payload["fields"].values() for m in messages)


def test_put_requires_the_current_version(api, world, make_citizen):
    citizen = make_citizen()
    alice = api("xa_a")
    body = alice.get(f"/citizens/{citizen.id}").get_json()
    missing = alice.put(
        f"/citizens/{citizen.id}", json={k: v for k, v in body.items() if k != "version"}
    )
    assert missing.status_code == 422
    assert "version" in missing.get_json()["fields"]
    assert alice.put(f"/citizens/{citizen.id}", json={**body, "version": "1"}).status_code == 422

    assert (
        alice.put(f"/citizens/{citizen.id}", json={**body, "phone": "0912345678"}).status_code
        == 200
    )
    stale = alice.put(f"/citizens/{citizen.id}", json={**body, "phone": "0987654321"})
    assert stale.status_code == 409
    assert "người khác" in stale.get_json()["error"]
    assert alice.get(f"/citizens/{citizen.id}").get_json()["phone"] == "0912345678"


def test_citizen_search_ignores_accents_and_case(api, make_citizen):
    make_citizen("Nguyễn Thị Hằng")
    make_citizen("Trần Văn Đức")
    make_citizen("Lê Văn Hùng")
    alice = api("xa_a")

    def names(query: str) -> list[str]:
        return [c["full_name"] for c in alice.get(f"/citizens?q={query}").get_json()["items"]]

    assert names("hang") == ["Nguyễn Thị Hằng"]
    assert names("HẰNG") == ["Nguyễn Thị Hằng"]
    assert names("duc") == ["Trần Văn Đức"]
    assert names("van") == ["Trần Văn Đức", "Lê Văn Hùng"]
    assert names("tran duc") == ["Trần Văn Đức"]
    assert names("xyz") == []


def test_citizens_filter_by_unit_and_household(api, world, make_citizen):
    make_citizen("Nguyễn Văn An", village="village_a1")
    make_citizen("Nguyễn Văn Bình", village="village_a2")
    alice = api("huyen")
    assert len(alice.get("/citizens?unit=1286502").get_json()["items"]) == 1
    assert alice.get("/citizens?unit=12865").get_json()["total"] == 2
    household = alice.post("/households", json={"village_id": world.units["village_a1"].id})
    household_id = household.get_json()["id"]
    alice.post("/citizens", json=citizen_body(world, household_id=household_id, relation="head"))
    members = alice.get(f"/citizens?household={household_id}").get_json()["items"]
    assert [m["relation"] for m in members] == ["head"]


def test_pagination_pages_and_bounds(app, api, make_citizen):
    for name in ("An", "Bình", "Chi", "Dũng", "Giang"):
        make_citizen(f"Nguyễn Văn {name}")
    alice = api("xa_a")
    first = alice.get("/citizens?per_page=2").get_json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 2, 5)
    assert [c["given_name"] for c in first["items"]] == ["An", "Bình"]
    assert len(alice.get("/citizens?per_page=2&page=3").get_json()["items"]) == 1
    assert alice.get("/citizens?per_page=2&page=4").get_json()["items"] == []
    largest = app.config["API_PAGE_SIZE_MAX"]
    assert alice.get(f"/citizens?per_page={largest}").status_code == 200
    for query in (f"per_page={largest + 1}", "per_page=0", "page=0", "page=-1", "page=abc"):
        response = alice.get(f"/citizens?{query}")
        assert response.status_code == 422, query
        assert set(response.get_json()["fields"]) <= {"page", "per_page"}
    assert alice.get("/citizens").get_json()["per_page"] == app.config["PAGE_SIZE"]


# --- scoping --------------------------------------------------------------------------------


def test_other_commune_cannot_list_a_units_objects(api, make_citizen):
    make_citizen()
    bob = api("xa_b")
    for resource in ("citizens", "households", "clans", "organisations"):
        assert bob.get(f"/{resource}?unit=12865").status_code == 403, resource
        assert bob.get(f"/{resource}").get_json()["total"] == 0, resource


@pytest.fixture
def commune_a_objects(api, world, make_citizen) -> dict[str, str]:
    """One object of each kind in commune A, as paths."""
    alice = api("xa_a")
    citizen = make_citizen()
    a1, a = world.units["village_a1"].id, world.units["commune_a"].id
    household = alice.post("/households", json={"village_id": a1}).get_json()
    clan = alice.post("/clans", json={"name": "Họ Trần", "unit_id": a}).get_json()
    organisation = alice.post(
        "/organisations", json={"name": "UBND xã", "kind": "agency", "unit_id": a}
    ).get_json()
    activity = alice.post(f"/citizens/{citizen.id}/activities", json=activity_body()).get_json()
    return {
        "citizen": f"/citizens/{citizen.id}",
        "household": f"/households/{household['id']}",
        "clan": f"/clans/{clan['id']}",
        "organisation": f"/organisations/{organisation['id']}",
        "activity": f"/activities/{activity['id']}",
    }


@pytest.mark.parametrize("kind", ["citizen", "household", "clan", "organisation", "activity"])
def test_other_commune_gets_404_for_a_units_objects(api, world, commune_a_objects, kind):
    path = commune_a_objects[kind]
    bob = api("xa_b")
    assert bob.get(path).status_code == 404
    assert bob.put(path, json={"version": 1, "address": "x"}).status_code == 404
    assert bob.delete(path).status_code == 404
    assert api("xa_a").get(path).status_code == 200


def test_other_commune_cannot_reach_a_citizens_activities_or_members(api, commune_a_objects):
    bob = api("xa_b")
    citizen_path = commune_a_objects["citizen"]
    assert bob.get(f"{citizen_path}/activities").status_code == 404
    assert bob.post(f"{citizen_path}/activities", json=activity_body()).status_code == 404
    organisation_path = commune_a_objects["organisation"]
    assert bob.get(f"{organisation_path}/members").status_code == 404


def test_cannot_create_in_another_communes_village(api, world):
    bob = api("xa_b")
    response = bob.post("/citizens", json=citizen_body(world))
    assert response.status_code == 422
    assert "village_id" in response.get_json()["fields"]
    response = bob.post("/households", json={"village_id": world.units["village_a1"].id})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Citizen)) == 0


def test_cannot_move_a_citizen_out_of_scope(api, world, make_citizen):
    citizen = make_citizen()
    alice = api("xa_a")
    body = alice.get(f"/citizens/{citizen.id}").get_json()
    moved = {**body, "village_id": world.units["village_b1"].id}
    response = alice.put(f"/citizens/{citizen.id}", json=moved)
    assert response.status_code == 422
    assert "village_id" in response.get_json()["fields"]


# --- households, clans, organisations -------------------------------------------------------


def test_household_lifecycle(api, world, make_citizen):
    alice = api("xa_a")
    response = alice.post(
        "/households", json={"village_id": world.units["village_a1"].id, "address": "Xóm 3"}
    )
    assert response.status_code == 201
    household = response.get_json()
    assert household["code"].startswith("HGD1286501-")
    assert household["head_id"] is None
    path = f"/households/{household['id']}"
    head = make_citizen(household_id=household["id"], relation="head")
    stranger = make_citizen("Phạm Văn Lạ")

    version = alice.get(path).get_json()["version"]  # naming the head saved the household
    refused = alice.put(path, json={"head_id": stranger.id, "version": version})
    assert refused.status_code == 422
    assert "head_id" in refused.get_json()["fields"]
    response = alice.put(path, json={"head_id": head.id, "address": "Xóm 4", "version": version})
    assert response.status_code == 200
    assert (response.get_json()["head_id"], response.get_json()["address"]) == (head.id, "Xóm 4")
    assert alice.put(path, json={"address": "Xóm 5", "version": version}).status_code == 409

    assert alice.delete(path).status_code == 409  # still has a member
    assert alice.delete(f"/citizens/{head.id}").status_code == 204
    assert alice.delete(path).status_code == 204
    assert alice.get("/households").get_json()["total"] == 0


def test_household_validation(api, world):
    alice = api("xa_a")
    assert "village_id" in alice.post("/households", json={}).get_json()["fields"]
    not_a_village = alice.post("/households", json={"village_id": world.units["commune_a"].id})
    assert not_a_village.status_code == 422
    assert alice.post("/households", json={"village_id": "1"}).status_code == 422


def test_clan_lifecycle(api, world, make_citizen):
    alice = api("xa_a")
    response = alice.post(
        "/clans", json={"name": "Họ Nguyễn Đình", "unit_id": world.units["commune_a"].id}
    )
    assert response.status_code == 201
    clan = response.get_json()
    path = f"/clans/{clan['id']}"
    assert alice.get("/clans?q=dinh").get_json()["total"] == 1
    renamed = {**clan, "name": "Họ Nguyễn Đình (chi 2)", "note": "Nhà thờ họ ở thôn Đông"}
    response = alice.put(path, json=renamed)
    assert response.status_code == 200
    assert response.get_json()["version"] == 2
    assert alice.put(path, json=renamed).status_code == 409
    member = make_citizen(clan_id=clan["id"])
    assert alice.delete(path).status_code == 409
    alice.delete(f"/citizens/{member.id}")
    assert alice.delete(path).status_code == 204


def test_clan_validation(api, world):
    alice = api("xa_a")
    response = alice.post("/clans", json={"name": "", "unit_id": world.units["province"].id})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"name", "unit_id"}


def test_organisation_and_members(api, world, make_citizen):
    alice = api("xa_a")
    body = {"name": "Trường THCS Tân Hòa", "kind": "school", "unit_id": world.units["commune_a"].id}
    response = alice.post("/organisations", json=body)
    assert response.status_code == 201
    organisation = response.get_json()
    path = f"/organisations/{organisation['id']}"
    teacher = make_citizen("Vũ Thị Lan")
    outsider = make_citizen("Đỗ Văn Xa", village="village_b1")

    response = alice.post(f"{path}/members", json={"citizen_id": teacher.id})
    assert response.status_code == 201
    member = response.get_json()
    assert (member["citizen_code"], member["role"]) == (teacher.code, "staff")
    assert alice.post(f"{path}/members", json={"citizen_id": teacher.id}).status_code == 409
    refused = alice.post(f"{path}/members", json={"citizen_id": outsider.id})
    assert refused.status_code == 422
    assert "citizen_id" in refused.get_json()["fields"]
    bad_role = alice.post(f"{path}/members", json={"citizen_id": teacher.id, "role": "boss"})
    assert bad_role.status_code == 422
    assert [m["full_name"] for m in alice.get(f"{path}/members").get_json()["items"]] == [
        "Vũ Thị Lan"
    ]

    assert alice.delete(path).status_code == 409
    assert alice.delete(f"{path}/members/{member['id']}").status_code == 204
    assert alice.delete(f"{path}/members/{member['id']}").status_code == 404
    renamed = alice.put(path, json={**organisation, "kind": "agency"})
    assert renamed.status_code == 200
    assert renamed.get_json()["kind"] == "agency"
    assert alice.delete(path).status_code == 204


def test_organisation_validation(api, world):
    response = api("xa_a").post(
        "/organisations", json={"name": "X", "kind": "club", "unit_id": 99999}
    )
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"kind", "unit_id"}


# --- activities -----------------------------------------------------------------------------


def test_activity_categories_are_listed(api):
    items = api("xem_a").get("/activity-categories").get_json()["items"]
    assert "tthtcd" in [item["code"] for item in items]


def test_activity_lifecycle(api, make_citizen):
    citizen = make_citizen()
    alice = api("xa_a")
    categories = alice.get("/activity-categories").get_json()["items"]
    response = alice.post(f"/citizens/{citizen.id}/activities", json=activity_body())
    assert response.status_code == 201
    activity = response.get_json()
    assert (activity["category_code"], activity["hours"], activity["held_on"]) == (
        "tthtcd",
        12.5,
        "2026-03-02",
    )
    by_id = activity_body(category_id=categories[1]["id"], held_on="2025-12-31", hours=3)
    assert alice.post(f"/citizens/{citizen.id}/activities", json=by_id).status_code == 201

    listing = alice.get(f"/citizens/{citizen.id}/activities").get_json()
    assert [a["held_on"] for a in listing["items"]] == ["2026-03-02", "2025-12-31"]
    only_2025 = alice.get(f"/citizens/{citizen.id}/activities?year=2025").get_json()
    assert only_2025["total"] == 1

    path = f"/activities/{activity['id']}"
    response = alice.put(path, json={**activity, "hours": 20, "ended_on": "2026-03-30"})
    assert response.status_code == 200
    assert (response.get_json()["hours"], response.get_json()["version"]) == (20.0, 2)
    assert alice.put(path, json={**activity, "hours": 21}).status_code == 409
    assert alice.delete(path).status_code == 204
    assert alice.get(path).status_code == 404


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"hours": "abc"}, {"hours"}),
        ({"hours": 0}, {"hours"}),
        ({"hours": 0.004}, {"hours"}),  # stored to 2 decimals: was kept as 0 hours
        ({"hours": True}, {"hours"}),
        ({"held_on": "2999-01-01"}, {"held_on"}),
        ({"held_on": "31/02/2026"}, {"held_on"}),
        ({"ended_on": "2026-01-01"}, {"ended_on"}),
        ({"category_id": "no-such"}, {"category_id"}),
        ({"category_id": 1.5}, {"category_id"}),
        ({"title": ""}, {"title"}),
    ],
)
def test_activity_validation(api, make_citizen, fields, errors):
    citizen = make_citizen()
    response = api("xa_a").post(f"/citizens/{citizen.id}/activities", json=activity_body(**fields))
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == errors


# --- found by schemathesis (tests/registry/test_api_fuzz.py) --------------------------------


def test_wrong_method_answers_405_naming_the_allowed_ones(api, client):
    response = api("xa_a").client.open(f"{API}/citizens/1", method="PATCH")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PUT", "DELETE"}
    assert response.get_json()["status"] == 405
    assert "POST" in client.open("/login", method="PATCH").headers["Allow"]  # web pages too


@pytest.mark.parametrize(
    "name",
    [
        "A" * 41 + " Bình",  # a family name longer than its column
        "Lê " + "B" * 41,  # a given name longer than its column
        "Lê " + " ".join(["Văn"] * 25) + " An",  # a middle name longer than its column
        "İ" * 120,  # lower-cased to 240 code points
        " ".join(["ß"] * 60),  # capitalised to "Ss"
        " ".join(["한"] * 40),  # its search form decomposes each syllable into letters
    ],
    ids=["family", "given", "middle", "dotted-I", "sharp-s", "hangul"],
)
def test_names_that_outgrow_their_columns_answer_422(api, world, name):
    alice = api("xa_a")
    response = alice.post("/citizens", json=citizen_body(world, full_name=name))
    assert response.status_code == 422  # was a 500 on PostgreSQL (value too long)
    assert set(response.get_json()["fields"]) == {"full_name"}
    assert alice.get("/citizens").get_json()["total"] == 0


def test_names_that_just_fit_their_columns_are_kept(api, world):
    name = " ".join(
        ["Nguyễn" + "n" * 34, "Thị Bích Ngọc Ánh Dương Hồng Nhung Như", "H" + "ằ" * 37 + "ng"]
    )
    assert len(name) == 120
    response = api("xa_a").post("/citizens", json=citizen_body(world, full_name=name))
    assert response.status_code == 201
    assert response.get_json()["full_name"] == name


@pytest.mark.parametrize(
    ("path", "length", "fields"),
    [("/clans", 150, {}), ("/organisations", 200, {"kind": "school"})],
    ids=["clan", "organisation"],
)
def test_group_names_whose_search_form_outgrows_its_column_answer_422(
    api, world, path, length, fields
):
    body = {"name": "한" * length, "unit_id": world.units["commune_a"].id, **fields}
    response = api("xa_a").post(path, json=body)
    assert response.status_code == 422  # was a 500 on PostgreSQL (value too long)
    assert set(response.get_json()["fields"]) == {"name"}


def test_empty_filters_and_long_searches_are_accepted_as_documented(api, make_citizen):
    make_citizen("Nguyễn Thị Hằng")
    alice = api("xa_a")
    assert alice.get("/citizens?unit=").get_json()["total"] == 1
    assert codes(alice.get("/units?parent=")) == ["12865"]
    assert alice.get("/citizens?q=" + "hang" + "x" * 200).get_json()["total"] == 0
    assert alice.get("/citizens?q=" + "hang" + " " * 200).get_json()["total"] == 1
    document = alice.get("/openapi.json").get_json()
    for path, name in (("/citizens", "unit"), ("/citizens", "q"), ("/units", "parent")):
        (param,) = (p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)
        assert {"minLength", "maxLength"}.isdisjoint(param["schema"]), (path, name)


def test_too_large_bodies_answer_a_documented_413(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = api("xa_a").post("/citizens", json={"full_name": "A" * 2000})
    assert response.status_code == 413
    assert response.get_json()["status"] == 413
    document = api("xa_a").get("/openapi.json").get_json()
    assert "413" in document["paths"]["/citizens"]["post"]["responses"]
