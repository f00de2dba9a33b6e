"""The authorization matrix, generated from the URL map so that no route can be forgotten.

For every route and method: anonymous visitors are sent to the login page (API: 401). Then
every route (pages with a session, the API with a bearer token) x every role, in scope of
commune A (12865) or not, is one test, named ``endpoint-METHOD-user``:

- users in scope of commune A (admin, province 34, district 344, commune A, viewer of A) get an
  answer that is not 401/403/404 wherever their role may use the route, and editors can act;
- users out of scope (province 36, district 343, commune B, viewer of B) get 403/404 on
  commune A's objects (and on lists filtered to commune A), never see its secret names, and
  change nothing of it;
- viewers change nothing (printing a slip or a certificate is an audited read).

A new route fails until it is classified in ``ACCESS`` (and its path parameters get sample
values); a new role or unit is one line in ``USERS``. The matrix shares one app and world,
rebuilt after any cell that changed the database. Below it, what the sample values do not
reach: every kind of evaluated subject, approving proposals by id, and drawing commune A's
citizens into an outsider's own organisation.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from werkzeug.security import generate_password_hash

from registry import create_app
from registry.extensions import db
from registry.models import (
    Activity,
    ActivityCategory,
    AdminUnit,
    ApiToken,
    AuditEntry,
    Citizen,
    Clan,
    Decision,
    EvaluationResult,
    Household,
    Job,
    Organisation,
    OrganisationMember,
    Recognition,
    Role,
    UnitLevel,
    User,
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
CSRF_VALUE = re.compile(r'name="csrf_token"[^>]*value="[^"]*"')
# every name, code and title of commune A's sample objects: none may reach an outsider
SECRETS = re.compile(r"bí mật|MATRIX", re.IGNORECASE)
# path parameters that name no object of a commune (a static file, a criteria set, a list)
NOT_OBJECTS = {"filename", "key", "name", "upload_id"}
METHODS = {"GET", "POST", "PUT", "DELETE"}


def _text(response) -> str:
    """The readable content of a response: HTML, JSON (unescaped), spreadsheets, PDFs."""
    if response.mimetype == "application/json":
        return json.dumps(response.get_json(silent=True), ensure_ascii=False)
    if response.mimetype.startswith("text/"):
        return response.get_data(as_text=True)
    if response.mimetype.endswith("spreadsheetml.sheet"):
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
        return " ".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    if response.mimetype == "application/pdf" and shutil.which("pdftotext"):
        done = subprocess.run(
            ["pdftotext", "-", "-"],  # poppler-utils, installed by the Makefile
            input=response.get_data(),
            capture_output=True,
            check=True,
        )
        return done.stdout.decode()
    return ""


@dataclass
class Sample:
    """Objects of commune A (12865), the victim of every cross-commune attempt."""

    values: dict[str, object]


def _snapshot(serial: str) -> str:
    return json.dumps(
        {
            "serial": serial,
            "verify_url": f"https://khuyenhoc.example.vn/verify/{serial}",
            "title": "Công dân học tập",
            "year": 2025,
            "recipient_label": "Bà",
            "recipient_name": SECRET,
            "address_line": "Thôn Đông, xã Tân Hòa",
            "issuer_name": "UBND xã Tân Hòa",
            "issuer_short": "UBND",
            "decision_number": "1/QĐ",
            "decision_date": "2025-12-01",
            "place_name": "Tân Hòa",
            "signed_on": "2025-12-01",
            "signer_title": "CHỦ TỊCH",
            "signer_name": "A",
            "level": None,
            "sort_key": "bi mat",
        },
        ensure_ascii=False,
    )


def _commune_a_objects(
    units: dict[str, AdminUnit], admin: User, owner: User, citizen: Citizen
) -> dict[str, object]:
    """Commune A's household, clan, organisation, activity, jobs, decision and recognition."""
    village, commune = units["village_a1"], units["commune_a"]
    household = Household(code="HMATRIX", village=village)
    clan = Clan(code="DHMATRIX", name="Họ Bí Mật", search_name="ho bi mat", unit=commune)
    organisation = Organisation(
        code="DVMATRIX", name="Trường Bí Mật", search_name="truong bi mat", kind="school",
        unit=commune,
    )  # fmt: skip
    db.session.add_all([household, clan, organisation])
    db.session.flush()
    category = db.session.scalar(select(ActivityCategory))
    member = OrganisationMember(
        organisation_id=organisation.id, citizen_id=citizen.id, role="staff"
    )
    activity = Activity(
        citizen=citizen, category=category, title="Lớp bí mật", held_on=date(2025, 3, 1), hours=3
    )
    job = Job(kind="evaluate", params="{}", user_id=owner.id, unit_id=commune.id, status="done")
    import_job = Job(
        kind="import", params="{}", user_id=owner.id, unit_id=commune.id, status="done"
    )
    decision = Decision(
        unit_id=commune.id,
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
    db.session.add_all([member, activity, job, import_job, decision])
    db.session.flush()
    serial = "CDHT-2025-MATRIX0001"
    recognition = Recognition(
        serial=serial,
        decision_id=decision.id,
        subject_type="citizen",
        subject_id=citizen.id,
        unit_id=village.id,
        year=2025,
        set_id="cong-dan-hoc-tap",
        set_version=1,
        total=90,
        snapshot=_snapshot(serial),
    )
    db.session.add(recognition)
    db.session.flush()
    return {
        "citizen_id": citizen.id,
        "household_id": household.id,
        "clan_id": clan.id,
        "organisation_id": organisation.id,
        "member_id": member.id,
        "activity_id": activity.id,
        "job_id": job.id,
        "import_job_id": import_job.id,
        "decision_id": decision.id,
        "recognition_id": recognition.id,
        "subject_id": citizen.id,
        "kind": "citizen",
        "code": "12865",
        "user_id": owner.id,
        "upload_id": 1,
        "key": "cong-dan-hoc-tap-v1",
        "name": "citizens",
        "serial": serial,
        "filename": "app.css",
        "village_a1": village.id,
        "commune_a": commune.id,
    }


@pytest.fixture
def sample(world, make_citizen) -> Sample:
    citizen = make_citizen(SECRET, gender="F")
    values = _commune_a_objects(world.units, world.users["admin"], world.users["xa_a"], citizen)
    db.session.commit()
    return Sample(values)


def _routes(app):
    for rule in app.url_map.iter_rules():
        yield rule, sorted(rule.methods & METHODS)


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
            continue  # the API is in the matrix below (token auth)
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
            response.close()
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


# --- the matrix: route x method x user ------------------------------------------------------

# who may use a route at all (scope comes on top):
#   public: anyone; staff: any login; editor: every role but viewer; officials: admin and
#   province; admin: admin only; owner: the job's owner (and admins), others get 404
ACCESS: dict[str, str] = {
    **dict.fromkeys(PUBLIC, "public"),
    "main.index": "staff",
    "main.job": "owner",
    "main.job_download": "owner",
    "auth.logout": "staff",
    "auth.password": "staff",
    "activities.create": "editor",
    "activities.edit": "editor",
    "activities.delete": "editor",
    "admin.index": "admin",
    "admin.audit": "admin",
    "admin.users": "admin",
    "admin.create_user": "admin",
    "admin.edit_user": "admin",
    "admin.reset_password": "admin",
    "awards.index": "staff",
    "awards.proposals": "staff",
    "awards.detail": "staff",
    "awards.certificate_pdf": "staff",
    "awards.decision": "staff",
    "awards.decision_pdf": "staff",
    "awards.revoke": "editor",
    "awards.approve": "editor",
    "awards.approve_confirm": "editor",
    "awards.print_batch": "editor",
    "citizens.index": "staff",
    "citizens.detail": "staff",
    "citizens.create": "editor",
    "citizens.edit": "editor",
    "citizens.delete": "editor",
    "selfservice.slip": "staff",
    "households.index": "staff",
    "households.detail": "staff",
    "households.create": "editor",
    "households.edit": "editor",
    "households.delete": "editor",
    "clans.index": "staff",
    "clans.detail": "staff",
    "clans.create": "editor",
    "clans.edit": "editor",
    "clans.delete": "editor",
    "organisations.index": "staff",
    "organisations.detail": "staff",
    "organisations.create": "editor",
    "organisations.edit": "editor",
    "organisations.delete": "editor",
    "organisations.add_member": "editor",
    "organisations.remove_member": "editor",
    "criteria_admin.index": "staff",
    "criteria_admin.shipped": "staff",
    "criteria_admin.detail": "staff",
    "criteria_admin.what_if": "staff",
    "criteria_admin.upload": "admin",
    "criteria_admin.activate": "officials",
    "criteria_admin.retire": "officials",
    "evaluation.index": "staff",
    "evaluation.detail": "staff",
    "evaluation.assess": "editor",
    "evaluation.run": "editor",
    "exports.export": "staff",
    "imports.template": "staff",
    "imports.index": "editor",
    "imports.job": "owner",
    "imports.confirm": "owner",
    "reports.index": "staff",
    "reports.yearly_xlsx": "staff",
    "reports.yearly_pdf": "staff",
    "units.index": "staff",
    "units.detail": "staff",
    "units.audit": "staff",
    "units.create": "admin",
    "units.edit": "admin",
    "units.merge": "admin",
    "api.list_units": "staff",
    "api.get_unit": "staff",
    "api.get_unit_summary": "staff",
    "api.list_activity_categories": "staff",
    "api.list_citizens": "staff",
    "api.get_citizen": "staff",
    "api.create_citizen": "editor",
    "api.update_citizen": "editor",
    "api.delete_citizen": "editor",
    "api.list_citizen_activities": "staff",
    "api.create_activity": "editor",
    "api.get_activity": "staff",
    "api.update_activity": "editor",
    "api.delete_activity": "editor",
    "api.list_households": "staff",
    "api.get_household": "staff",
    "api.create_household": "editor",
    "api.update_household": "editor",
    "api.delete_household": "editor",
    "api.list_clans": "staff",
    "api.get_clan": "staff",
    "api.create_clan": "editor",
    "api.update_clan": "editor",
    "api.delete_clan": "editor",
    "api.list_organisations": "staff",
    "api.get_organisation": "staff",
    "api.create_organisation": "editor",
    "api.update_organisation": "editor",
    "api.delete_organisation": "editor",
    "api.list_members": "staff",
    "api.add_member": "editor",
    "api.remove_member": "editor",
}

_OFFICIALS = {Role.admin, Role.province}
# users of the matrix world: name → (role, unit code, in scope of commune A)
USERS: dict[str, tuple[Role, str, bool]] = {
    "admin": (Role.admin, "34", True),
    "tinh": (Role.province, "34", True),
    "huyen": (Role.district, "344", True),
    "xa_a": (Role.commune, "12865", True),
    "xem_a": (Role.viewer, "12865", True),
    "tinh_2": (Role.province, "36", False),
    "huyen_2": (Role.district, "343", False),
    "xa_b": (Role.commune, "12868", False),
    "xem_b": (Role.viewer, "12868", False),
}
PASSWORD = "mat-khau-123"


@functools.cache
def _password_hash() -> str:
    # one hash for every build: a session is tied to its user's password hash (User.get_id)
    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def _token(user: str) -> str:
    """The bearer token of ``user`` in the matrix world (stored as a digest, like any token)."""
    return f"matrix-token-{user}"


ALLOWED = {
    "public": set(USERS),
    "staff": set(USERS),
    "editor": {name for name, (role, _code, _in) in USERS.items() if role is not Role.viewer},
    "officials": {name for name, (role, _code, _in) in USERS.items() if role in _OFFICIALS},
    "admin": {"admin"},
    "owner": {"admin", "xa_a"},  # xa_a owns the sample jobs
}
# routes without an object in the path that are filtered to commune A by the query string
# (?unit=12865, ?parent=12865): outsiders are refused there too
UNIT_FILTERED = {
    "citizens.index",
    "households.index",
    "clans.index",
    "organisations.index",
    "awards.index",
    "awards.proposals",
    "awards.approve",
    "awards.approve_confirm",
    "awards.print_batch",
    "evaluation.index",
    "exports.export",
    "reports.index",
    "reports.yearly_xlsx",
    "reports.yearly_pdf",
    "api.list_units",
    "api.list_citizens",
    "api.list_households",
    "api.list_clans",
    "api.list_organisations",
}
# API creates whose body names commune A's village or commune
BODY_TARGETED = {
    "api.create_citizen",
    "api.create_household",
    "api.create_clan",
    "api.create_organisation",
}
# commune A's objects must show up for users in scope: proves the leak check can see them
SHOWS_SECRET = {
    "citizens.index",
    "citizens.detail",
    "households.detail",
    "clans.index",
    "clans.detail",
    "organisations.index",
    "organisations.detail",
    "awards.index",
    "awards.detail",
    "awards.decision",
    "evaluation.detail",
    "selfservice.slip",
    "api.get_citizen",
    "api.list_citizens",
    "api.get_clan",
    "api.get_household",
    "api.get_organisation",
    "api.get_activity",
}
# reads that are audited (the printout carries personal data): allowed to viewers
AUDITED_READS = {"selfservice.slip", "awards.certificate_pdf"}
READ_ACTIONS = {"print", "reprint", "print_slip"}
# actions on the user's own unit whatever the request names: outsiders may run them, but
# nothing of commune A may change
OWN_UNIT_ACTIONS = {"evaluation.run"}
QUERY = "?unit=12865&parent=12865&year=2025&kind=citizen"
# ``/jobs/<job_id>`` of the import pages is an import job
PATH_VALUES = {
    "imports.job": {"job_id": "import_job_id"},
    "imports.confirm": {"job_id": "import_job_id"},
}


def _form(values: dict[str, Any]) -> dict[str, Any]:
    """What a page POST sends: commune A everywhere a form may name a unit or an object."""
    return {
        "unit": "12865",
        "year": "2025",
        "kind": "citizen",
        "action": "all",
        "selection": "all",
        "ids": str(values["result_id"]),
        "citizen_id": str(values["citizen_id"]),
        "village_id": str(values["village_a1"]),
        "unit_id": str(values["commune_a"]),
    }


def _api_body(endpoint: str, values: dict[str, Any]) -> dict[str, Any] | None:
    """A valid JSON body aimed at commune A, so that only the scope check can refuse it."""
    village, commune = values["village_a1"], values["commune_a"]
    bodies: dict[str, dict[str, Any]] = {
        "api.create_citizen": {
            "full_name": "Trần Văn Mới",
            "gender": "M",
            "birth_date": "1985-04-30",
            "village_id": village,
        },
        "api.update_citizen": {"phone": "0912345678"},
        "api.create_activity": {
            "category_id": "tthtcd",
            "title": "Lớp tin học",
            "held_on": "2026-03-02",
            "hours": 12.5,
        },
        "api.update_activity": {"hours": 4},
        "api.create_household": {"village_id": village},
        "api.update_household": {"address": "Xóm 9"},
        "api.create_clan": {"name": "Họ Mới", "unit_id": commune},
        "api.update_clan": {"name": "Họ Đổi Tên"},
        "api.create_organisation": {"name": "Câu lạc bộ", "kind": "agency", "unit_id": commune},
        "api.update_organisation": {"kind": "agency"},
        "api.add_member": {"citizen_id": values["other_citizen_id"]},
        "api.token": {"username": "xa_a", "password": "sai"},
    }
    return bodies.get(endpoint)


def _matrix_cells() -> list[Any]:
    """One test per route, method and user, named ``endpoint-METHOD-user``."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    cells = sorted(
        (rule.endpoint, method, user)
        for rule, methods in _routes(app)
        for method in methods
        for user in USERS
    )
    return [pytest.param(*cell, id="-".join(cell)) for cell in cells]


CELLS = _matrix_cells()


@dataclass
class MatrixWorld:
    """One app and world for the whole matrix, rebuilt only after a cell changed it."""

    app: Flask
    values: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    pristine: str = ""
    pristine_a: str = ""
    current: str = ""
    export_file: Path | None = None
    rules: dict[str, Any] = field(default_factory=dict)

    # --- building ---

    def build(self) -> None:
        with self.app.app_context():
            _empty_tables()
            self.values = _build_matrix_world(self.export_file)
            user_ids = dict(db.session.execute(select(User.username, User.id)).all())
            db.session.commit()
        # emptied tables restart their ids, so the users' sessions usually stay valid
        if user_ids != self.user_ids:
            self.user_ids = user_ids
            self.clients = {name: self._logged_in(name) for name in USERS}
        self.pristine = self.current = self.fingerprint()
        self.pristine_a = self.fingerprint_a()

    def _logged_in(self, user: str) -> FlaskClient:
        client = self.app.test_client()
        response = client.post("/login", data={"username": user, "password": PASSWORD})
        assert response.status_code == 302, user
        return client

    def ensure_pristine(self) -> None:
        with self.app.app_context():
            intact = db.session.scalar(
                select(func.count()).select_from(Citizen).where(Citizen.full_name == SECRET)
            )
        if self.current != self.pristine or intact != 1:
            self.build()

    def fingerprint(self) -> str:
        """A digest of the whole database, logins and tokens left out."""
        with self.app.app_context():
            return _digest(None)

    def fingerprint_a(self) -> str:
        """A digest of commune A's data: rows naming another unit are left out."""
        with self.app.app_context():
            a_units = select(AdminUnit.id).where(AdminUnit.code.like("12865%"))
            return _digest(set(db.session.scalars(a_units)))

    # --- one request ---

    def url(self, endpoint: str) -> str:
        rule = self.rules[endpoint]
        names = PATH_VALUES.get(endpoint, {})
        values = {arg: self.values[names.get(arg, arg)] for arg in rule.arguments}
        return _url(rule, Sample(values)) + QUERY

    def request(self, endpoint: str, method: str, user: str) -> Any:
        kwargs: dict[str, Any] = {"method": method}
        if endpoint.startswith("api."):
            kwargs["headers"] = {"Authorization": f"Bearer {_token(user)}"}
            if method == "PUT":  # the object as read, with one field changed
                read = self.clients[user].get(self.url(endpoint), headers=kwargs["headers"])
                kwargs["json"] = {**(read.get_json() or {}), **_api_body(endpoint, self.values)}
            elif method != "GET":
                kwargs["json"] = _api_body(endpoint, self.values)
        elif method == "POST":
            kwargs["data"] = _form(self.values)
        client = self.clients[user]
        if endpoint == "auth.logout":  # a client of its own: the shared one stays logged in
            client = self._logged_in(user)
        return client.open(self.url(endpoint), **kwargs)

    def new_audit_actions(self) -> set[str]:
        with self.app.app_context():
            return set(
                db.session.scalars(
                    select(AuditEntry.action).where(
                        AuditEntry.id > self.values["last_audit_id"],
                        AuditEntry.action.not_in(("login", "token")),
                    )
                )
            )


def _digest(units: set[int] | None) -> str:
    """A digest of every table (of rows of ``units`` only, where a row names a unit)."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name == "api_tokens":
            continue
        stmt = select(*(c for c in table.columns if c.name != "last_login_at"))
        if table.name == "audit_log":
            stmt = stmt.where(table.c.action.not_in(("login", "token")))
        if units is not None and "unit_id" in table.c:
            stmt = stmt.where(table.c.unit_id.in_(units))
        rows = db.session.execute(stmt.order_by(*table.primary_key.columns)).all()
        digest.update(repr((table.name, [tuple(row) for row in rows])).encode())
    return digest.hexdigest()


def _empty_tables() -> None:
    """Delete every row and restart the ids (so the users' sessions stay valid)."""
    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name != "postgresql":
        db.session.execute(text("PRAGMA foreign_keys=OFF"))
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))  # noqa: S608 - our own table names
        db.session.execute(text("PRAGMA foreign_keys=ON"))
    elif _can_skip_triggers():
        # TRUNCATE takes half a second on these few rows; DELETE without the foreign key
        # triggers (a superuser's right, as in the tests' database) takes milliseconds
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))  # noqa: S608 - our own table names
        db.session.execute(text("SET LOCAL session_replication_role = DEFAULT"))
        sequences = text("SELECT sequence_name FROM information_schema.sequences")
        for sequence in db.session.scalars(sequences).all():
            db.session.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    else:
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    db.session.commit()


def _can_skip_triggers() -> bool:
    try:
        with db.session.begin_nested():
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
    except DBAPIError:
        return False
    return True


# units of the matrix world: code → (name, kind, level, parent code, key in World.units)
UNITS = {
    "34": ("Thái Bình", "tỉnh", UnitLevel.province, None, "province"),
    "344": ("Vũ Thư", "huyện", UnitLevel.district, "34", "district"),
    "12865": ("Tân Hòa", "xã", UnitLevel.commune, "344", "commune_a"),
    "12868": ("Song An", "xã", UnitLevel.commune, "344", "commune_b"),
    "1286501": ("Đông", "thôn", UnitLevel.village, "12865", "village_a1"),
    "1286502": ("Đoài", "thôn", UnitLevel.village, "12865", "village_a2"),
    "1286801": ("Nam", "thôn", UnitLevel.village, "12868", "village_b1"),
    "343": ("Kiến Xương", "huyện", UnitLevel.district, "34", "district_2"),
    "12826": ("Vũ Tây", "xã", UnitLevel.commune, "343", "commune_c"),
    "1282601": ("Bắc", "thôn", UnitLevel.village, "12826", "village_c1"),
    "36": ("Nam Định", "tỉnh", UnitLevel.province, None, "province_2"),
    "356": ("Vụ Bản", "huyện", UnitLevel.district, "36", "district_3"),
}


def _build_matrix_world(export_file: Path | None) -> dict[str, Any]:
    """Two provinces, two districts of province 34, commune A's objects, one user per row."""
    import criteria
    from registry.activities.services import load_categories
    from registry.citizens.services import create_citizen
    from registry.criteria_admin import services as criteria_services

    load_categories()
    by_code: dict[str, AdminUnit] = {}
    units: dict[str, AdminUnit] = {}
    for code, (name, kind, level, parent, key) in UNITS.items():
        unit = AdminUnit(code=code, name=name, kind=kind, level=level, parent=by_code.get(parent))
        db.session.add(unit)
        by_code[code] = units[key] = unit
    password_hash = _password_hash()
    users = {}
    for name, (role, code, _in_scope) in USERS.items():
        users[name] = User(username=name, role=role, unit=by_code[code], full_name=f"Cán bộ {name}")
        users[name].password_hash = password_hash
    db.session.add_all(users.values())
    db.session.add_all(
        ApiToken(
            user=user,
            token_hash=hashlib.sha256(_token(name).encode()).hexdigest(),
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )
        for name, user in users.items()
    )
    db.session.flush()
    citizens = [
        create_citizen(
            users["admin"],
            {
                "full_name": name,
                "gender": "F",
                "birth_date": date(1980, 5, 17),
                "village_id": units["village_a1"].id,
            },
            today=date(2026, 11, 27),
        )
        for name in (SECRET, "Lê Thị Khác")
    ]
    values = _commune_a_objects(units, users["admin"], users["xa_a"], citizens[0])
    values["other_citizen_id"] = citizens[1].id
    # a passing result of the other citizen: a proposal commune A may approve
    result = EvaluationResult(
        year=2025, subject_type="citizen", subject_id=citizens[1].id,
        unit_id=units["village_a1"].id, set_id="cong-dan-hoc-tap", set_version=1, total=95,
        passed=True,
    )  # fmt: skip
    db.session.add(result)
    db.session.flush()
    values["result_id"] = result.id
    # a draft criteria set reaching commune A only (province 36 may not activate it)
    v1 = (criteria.SETS_DIR / "cong-dan-hoc-tap-v1.toml").read_text(encoding="utf-8")
    v2 = re.sub(r"^version = 1$", "version = 2", v1, count=1, flags=re.MULTILINE)
    v2 = v2.replace("subject = ", 'scope = "12865"\nsubject = ', 1)
    upload = criteria_services.upload_set(users["admin"], "cdht-v2.toml", v2.encode())
    values["upload_id"] = upload.id
    if export_file is not None:  # the finished export of xa_a's job, for /jobs/<id>/download
        job = db.session.get(Job, values["job_id"])
        job.kind, job.result_path = "export", str(export_file)
    db.session.flush()
    values["last_audit_id"] = db.session.scalar(select(func.max(AuditEntry.id)))
    return values


@pytest.fixture(scope="module")
def matrix(database_url: str) -> Iterator[MatrixWorld]:
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "JOBS_SYNCHRONOUS": True,
            "PUBLIC_BASE_URL": "https://khuyenhoc.example.vn",
        }
    )
    exports = Path(application.instance_path) / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    export_file = exports / f"matrix-{uuid.uuid4().hex}.xlsx"
    world = MatrixWorld(application, export_file=export_file)
    world.rules = {rule.endpoint: rule for rule in application.url_map.iter_rules()}
    with application.app_context():
        db.drop_all()  # a fresh schema, as the ``app`` fixture makes on its first use
        db.create_all()
    try:
        export_file.write_bytes(b"PK")
        world.build()
        yield world
    finally:
        export_file.unlink(missing_ok=True)
        with application.app_context():
            _empty_tables()
            for engine in db.engines.values():
                engine.dispose()


def test_every_route_is_in_the_matrix(matrix):
    unknown = set(matrix.rules) - set(ACCESS)
    assert not unknown, f"classify these routes in ACCESS (test_access_matrix.py): {unknown}"
    assert len(CELLS) > 1000


def _refusal(endpoint: str, user: str, rule: Any) -> set[int]:
    """The answers that refuse ``user`` this route aimed at commune A (empty: not refused)."""
    access = ACCESS[endpoint]
    if access == "public":
        return set()
    if user not in ALLOWED[access]:
        return {403, 404}
    if USERS[user][2]:  # in scope of commune A
        return set()
    if rule.arguments - NOT_OBJECTS or endpoint in UNIT_FILTERED or access == "officials":
        return {403, 404}
    if endpoint in BODY_TARGETED:
        return {403, 404, 422}  # the API names the field out of scope
    return set()


@pytest.mark.parametrize(("endpoint", "method", "user"), CELLS)
def test_matrix(matrix, endpoint, method, user):
    matrix.ensure_pristine()
    response = matrix.request(endpoint, method, user)
    status = response.status_code
    refusal = _refusal(endpoint, user, matrix.rules[endpoint])
    refused = bool(refusal)
    role, _unit, in_scope = USERS[user]
    control = in_scope and not refused and endpoint in SHOWS_SECRET and method == "GET"
    outsider = not in_scope and endpoint not in PUBLIC
    shown = _text(response) if control or outsider else ""
    response.close()
    matrix.current = matrix.fingerprint()

    if refused:
        assert status in refusal, f"{user} must be refused, got {status}"
    elif ACCESS[endpoint] != "public":
        assert status not in {401, 403, 404, 405}, f"{user} may use this route, got {status}"
    if outsider:
        assert not SECRETS.search(shown), f"{user} sees commune A's data"
    if control:
        assert SECRETS.search(shown), "commune A's object missing: the leak check would be blind"

    unchanged = matrix.current == matrix.pristine
    if refused or (not in_scope and endpoint not in OWN_UNIT_ACTIONS):
        assert unchanged, f"{user} changed the database"
    elif not in_scope:
        assert matrix.fingerprint_a() == matrix.pristine_a, f"{user} changed commune A's data"
    elif role is Role.viewer and endpoint in AUDITED_READS:
        assert matrix.new_audit_actions() <= READ_ACTIONS
    elif role is Role.viewer and ACCESS[endpoint] != "public":
        assert unchanged, f"{user} (viewer) changed the database"
    elif endpoint.startswith("api.") and method != "GET" and ACCESS[endpoint] != "public":
        # a valid body aimed at commune A: editors in scope act (409: it has members, or
        # the citizen is one already)
        assert status < 300 or status == 409, f"{user} could not act: {status}"


# --- the matrix's dimensions the sample values do not reach -------------------------------

# every kind of evaluated subject, the object of commune A (or above it) standing for it
SUBJECTS = {
    "citizen": ("citizen_id", "1286501"),
    "household": ("household_id", "1286501"),
    "clan": ("clan_id", "12865"),
    "organisation": ("organisation_id", "12865"),
    "village": ("village_a1", "1286501"),
    "commune": ("commune_a", "12865"),
    "district": ("district", "344"),
    "province": ("province", "34"),
}


def _sees(user: str, code: str) -> bool:
    """Whether ``user``'s unit is ``code`` or above it (admins see everything)."""
    role, own, _in_scope = USERS[user]
    chain = [code]
    while (parent := UNITS[chain[-1]][3]) is not None:
        chain.append(parent)
    return role is Role.admin or own in chain


@pytest.mark.parametrize("kind", sorted(SUBJECTS))
@pytest.mark.parametrize("user", sorted(USERS))
def test_every_kind_of_evaluated_subject_is_scoped(matrix, kind, user):
    matrix.ensure_pristine()
    value, home = SUBJECTS[kind]
    with matrix.app.app_context():
        subject_id = matrix.values.get(value) or db.session.scalar(
            select(AdminUnit.id).where(AdminUnit.code == home)
        )
    detail = matrix.clients[user].get(f"/evaluation/{kind}/{subject_id}?year=2025")
    assess = matrix.clients[user].post(f"/evaluation/{kind}/{subject_id}/assess", data={})
    if _sees(user, home):
        assert detail.status_code == 200
    else:
        assert detail.status_code == 404
        assert assess.status_code in {403, 404}
        assert not SECRETS.search(_text(detail) + _text(assess))
    matrix.current = matrix.fingerprint()
    assert matrix.current == matrix.pristine


DECISION = {
    "number": "99/QĐ-UBND",
    "decided_on": "01/12/2025",
    "issuer_name": "Ủy ban nhân dân",
    "issuer_short": "ỦY BAN NHÂN DÂN",
    "place_name": "Tân Hòa",
    "signer_title": "CHỦ TỊCH",
    "signer_name": "Trần Văn Ký",
}


@pytest.mark.parametrize("user", sorted(USERS))
def test_proposals_are_approved_only_in_scope(matrix, user):
    """The selection names commune A's proposal by id, with no unit to refuse early."""
    matrix.ensure_pristine()
    client, result_id = matrix.clients[user], matrix.values["result_id"]
    form = {"year": "2025", "kind": "citizen", "ids": str(result_id)}
    preview = client.post("/awards/approve", data=form)
    confirm = client.post(
        "/awards/approve/confirm",
        data={"year": "2025", "kind": "citizen", "selection": str(result_id), **DECISION},
    )
    matrix.current = matrix.fingerprint()
    with matrix.app.app_context():
        approved = db.session.scalar(
            select(func.count()).select_from(Recognition).where(Recognition.year == 2025)
        )
    role, _unit, in_scope = USERS[user]
    if in_scope and role is not Role.viewer:
        assert confirm.status_code == 302, _text(confirm)[:300]
        assert approved == 2  # the sample's and this one
    else:
        assert approved == 1
        assert matrix.current == matrix.pristine
        assert "Lê Thị Khác" not in _text(preview) + _text(confirm)


# an outsider's own place for a group: (village or commune code, where their group may live)
OWN_PLACES = {"xa_b": "12868", "huyen_2": "12826"}


@pytest.mark.parametrize("user", sorted(OWN_PLACES))
def test_outsiders_cannot_draw_commune_a_citizens_into_their_groups(matrix, user):
    """Adding someone to one's own organisation must not reach commune A's citizens, nor tell
    an unknown code or id from one outside the scope."""
    matrix.ensure_pristine()
    client, bearer = matrix.clients[user], {"Authorization": f"Bearer {_token(user)}"}
    with matrix.app.app_context():
        place = db.session.scalar(select(AdminUnit.id).where(AdminUnit.code == OWN_PLACES[user]))
        code = db.session.get(Citizen, matrix.values["citizen_id"]).code
    own = client.post(
        "/api/v1/organisations",
        json={"name": "Hội Riêng", "kind": "agency", "unit_id": place},
        headers=bearer,
    ).get_json()
    members = f"/api/v1/organisations/{own['id']}/members"
    answers = [
        client.post(members, json={"citizen_id": citizen_id}, headers=bearer)
        for citizen_id in (matrix.values["citizen_id"], 999_999)
    ]
    assert {a.status_code for a in answers} <= {403, 404, 422}
    assert answers[0].get_json() == answers[1].get_json()
    shown = []
    for typed in (code, "CD0000000000"):
        page = client.post(
            f"/organisations/{own['id']}/members", data={"citizen_code": typed, "role": "staff"}
        )
        # the form tokens carry a timestamp: two pages a second apart differ there only
        shown.append(CSRF_VALUE.sub("", _text(page).replace(typed, "")))
    assert shown[0] == shown[1]
    assert not SECRETS.search(shown[0] + _text(answers[0]))
    with matrix.app.app_context():
        joined = select(func.count()).select_from(OrganisationMember)
        assert db.session.scalar(joined.where(OrganisationMember.organisation_id == own["id"])) == 0
    matrix.current = matrix.fingerprint()  # the new organisation: rebuilt for the next test
