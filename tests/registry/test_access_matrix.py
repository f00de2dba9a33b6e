"""The authorization matrix, generated from the URL map so that no route can be forgotten.

For every route and method: anonymous visitors are sent to the login page (API: 401);
staff of another commune get 403/404 on commune A's objects and change nothing; a viewer
changes nothing. A new route with a path parameter this file does not know fails the test
until a sample value is added below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import (
    Activity,
    ActivityCategory,
    AuditEntry,
    Clan,
    Decision,
    Household,
    Job,
    Organisation,
    OrganisationMember,
    Recognition,
)

# reachable without a staff login (each has its own tests)
PUBLIC = {
    "static",
    "auth.login",
    "main.healthz",
    "main.set_language",
    "public.verify",
    "public.verify_form",
    "selfservice.lookup",
    "selfservice.me",
    "selfservice.logout",
    "api.token",
    "api.openapi",
}
SECRET = "Nguyễn Thị Bí Mật"
# path parameters that name no object of a commune (a static file, a criteria set, a list)
NOT_OBJECTS = {"filename", "key", "name"}


def _text(response) -> str:
    """The readable content of a response, spreadsheets included."""
    if response.mimetype.startswith(("text/", "application/json")):
        return response.get_data(as_text=True)
    if response.mimetype.endswith("spreadsheetml.sheet"):
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
        return " ".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return ""


@dataclass
class Sample:
    """Objects of commune A (12865), the victim of every cross-commune attempt."""

    values: dict[str, object]


@pytest.fixture
def sample(world, make_citizen) -> Sample:
    citizen = make_citizen(SECRET, gender="F")
    village = world.units["village_a1"]
    household = Household(code="HMATRIX", village=village)
    clan = Clan(
        code="DHMATRIX", name="Họ Bí Mật", search_name="ho bi mat", unit=world.units["commune_a"]
    )
    organisation = Organisation(
        code="DVMATRIX",
        name="Trường Bí Mật",
        search_name="truong bi mat",
        kind="school",
        unit=world.units["commune_a"],
    )
    db.session.add_all([household, clan, organisation])
    db.session.flush()
    category = db.session.scalar(select(ActivityCategory))
    member = OrganisationMember(
        organisation_id=organisation.id, citizen_id=citizen.id, role="staff"
    )
    activity = Activity(
        citizen=citizen, category=category, title="Lớp bí mật", held_on=date(2025, 3, 1), hours=3
    )
    job = Job(kind="evaluate", params="{}", user_id=world.users["xa_a"].id, status="done")
    decision = Decision(
        unit_id=world.units["commune_a"].id,
        year=2025,
        set_id="cong-dan-hoc-tap",
        title="Công dân học tập",
        number="1/QĐ",
        decided_on=date(2025, 12, 1),
        issuer_name="UBND xã Tân Hòa",
        issuer_short="UBND",
        place_name="Tân Hòa",
        signer_title="CHỦ TỊCH",
        signer_name="A",
    )
    db.session.add_all([member, activity, job, decision])
    db.session.flush()
    recognition = Recognition(
        serial="CDHT-2025-MATRIX0001",
        decision_id=decision.id,
        subject_type="citizen",
        subject_id=citizen.id,
        unit_id=village.id,
        year=2025,
        set_id="cong-dan-hoc-tap",
        set_version=1,
        total=90,
        snapshot="{}",
    )
    db.session.add(recognition)
    db.session.commit()
    return Sample(
        {
            "citizen_id": citizen.id,
            "household_id": household.id,
            "clan_id": clan.id,
            "organisation_id": organisation.id,
            "member_id": member.id,
            "activity_id": activity.id,
            "job_id": job.id,
            "decision_id": decision.id,
            "recognition_id": recognition.id,
            "subject_id": citizen.id,
            "kind": "citizen",
            "code": "12865",
            "user_id": world.users["xa_a"].id,
            "upload_id": 1,
            "key": "cong-dan-hoc-tap-v1",
            "name": "citizens",
            "serial": recognition.serial,
            "filename": "app.css",
        }
    )


def _routes(app):
    for rule in app.url_map.iter_rules():
        methods = sorted(m for m in rule.methods if m in {"GET", "POST", "PUT", "DELETE"})
        yield rule, methods


def _url(rule, sample: Sample) -> str:
    missing = [arg for arg in rule.arguments if arg not in sample.values]
    assert not missing, f"{rule.rule}: add a sample value for {missing} in test_access_matrix.py"
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(sample.values[arg]), url)
    return url


def _writes() -> int:
    """Audit entries other than logins: every change the registry makes is audited."""
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "login")
    )


def test_every_route_needs_a_login(app, client, sample):
    checked = 0
    for rule, methods in _routes(app):
        if rule.endpoint in PUBLIC:
            continue
        url = _url(rule, sample)
        for method in methods:
            response = client.open(url, method=method)
            if rule.endpoint.startswith("api."):
                assert response.status_code == 401, (method, url, response.status_code)
            else:
                assert response.status_code == 302, (method, url, response.status_code)
                assert "/login" in response.headers["Location"], (method, url)
            checked += 1
    assert checked > 60


def test_other_commune_cannot_read_or_change_anything(app, login, sample):
    client = login("xa_b")
    before = _writes()
    for rule, methods in _routes(app):
        if rule.endpoint in PUBLIC | {"auth.logout"} or rule.endpoint.startswith("api."):
            continue  # the API has its own scope tests (token auth)
        url = _url(rule, sample)
        for method in methods:
            response = client.open(url, method=method, data={})
            status = response.status_code
            assert status != 500, (method, url)
            if rule.arguments - NOT_OBJECTS:
                # commune A's object or unit: refused, whatever the method
                assert status in {403, 404, 405}, (method, url, status)
            if status == 200:
                assert SECRET not in _text(response), (method, url)
    assert _writes() == before


def test_viewer_changes_nothing(app, login, sample):
    client = login("xem_a")
    before = _writes()
    for rule, methods in _routes(app):
        if rule.endpoint in PUBLIC | {"auth.logout", "auth.password"} or rule.endpoint.startswith(
            "api."
        ):
            continue
        url = _url(rule, sample)
        if "POST" in methods:
            response = client.post(url, data={})
            assert response.status_code in {302, 400, 403, 404, 405, 200}, (
                url,
                response.status_code,
            )
            assert response.status_code != 500
    assert _writes() == before
