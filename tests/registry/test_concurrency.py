"""Two staff editing the same record: the second save is refused, nothing is overwritten.

Each member of staff has a real session of their own (a separate test client, logged in
through the login form with CSRF on), loads the edit form, changes it and saves. The
"race" tests also cover the narrow window the version check cannot see: the other save
commits after this request checked the version but before it writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from registry.extensions import db
from registry.models import AuditEntry, Citizen

CONFLICT_WEB = "Bản ghi này vừa được người khác sửa"
CONFLICT_API = "người khác"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "WTF_CSRF_ENABLED": True}


class FormReader(HTMLParser):
    """The fields of each ``<form method="post">`` of a page, as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._form: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in {"submit", "button"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self._form[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            self._form.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self._form[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self._form[name] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


class Browser:
    """One person's browser: its own cookies, and each request in a fresh app context (its own
    ``g`` and database session), as on a real server. The test's own app context would
    otherwise be shared by every request, and with it the logged-in user cached in ``g``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()

    def get(self, url: str, **kwargs: Any) -> Any:
        with self.app.app_context():
            return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        with self.app.app_context():
            return self.client.post(url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        with self.app.app_context():
            return self.client.put(url, **kwargs)


def load_form(browser: Browser, url: str) -> dict[str, str]:
    response = browser.get(url)
    assert response.status_code == 200, url
    reader = FormReader()
    reader.feed(response.get_data(as_text=True))
    return max(reader.forms, key=len)  # the page's form, not the language or logout button


@pytest.fixture
def staff(app: Flask, world: Any) -> Callable[[str], Browser]:
    """``staff("xa_a")``: a new browser logged in through the login form (CSRF token and all)."""

    def open_browser(username: str) -> Browser:
        browser = Browser(app)
        fields = load_form(browser, "/login")
        fields.update(username=username, password=world.password)
        response = browser.post("/login", data=fields)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return browser

    return open_browser


def updates_of(citizen_id: int) -> int:
    return len(
        db.session.scalars(
            db.select(AuditEntry).where(
                AuditEntry.object_type == "Citizen",
                AuditEntry.object_id == citizen_id,
                AuditEntry.action == "update",
            )
        ).all()
    )


def test_second_web_save_is_refused_and_first_change_stays(staff, make_citizen):
    citizen = make_citizen("Nguyễn Văn Hằng", phone="0911111111")
    url = f"/citizens/{citizen.id}/edit"
    alice, bob = staff("xa_a"), staff("huyen")
    form_a, form_b = load_form(alice, url), load_form(bob, url)
    assert form_a["version"] == form_b["version"] == "1"

    saved = alice.post(url, data={**form_a, "phone": "0922222222"})
    assert saved.status_code == 302
    refused = bob.post(url, data={**form_b, "phone": "0933333333", "full_name": "Nguyễn Văn Hào"})

    assert refused.status_code == 200
    page = refused.get_data(as_text=True)
    assert CONFLICT_WEB in page
    assert 'value="0933333333"' in page  # bob's typing is still on the form, not lost
    db.session.expire_all()
    stored = db.session.get(Citizen, citizen.id)
    assert (stored.phone, stored.full_name, stored.version) == ("0922222222", "Nguyễn Văn Hằng", 2)
    assert updates_of(citizen.id) == 1

    # bob reloads, sees alice's change, and can now save on top of it
    form_b = load_form(bob, url)
    assert (form_b["phone"], form_b["version"]) == ("0922222222", "2")
    assert bob.post(url, data={**form_b, "full_name": "Nguyễn Văn Hào"}).status_code == 302
    db.session.expire_all()
    assert (stored.phone, stored.full_name, stored.version) == ("0922222222", "Nguyễn Văn Hào", 3)


def api_client(client: Browser, username: str, password: str) -> dict[str, str]:
    response = client.post("/api/v1/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_second_api_save_is_refused_and_first_change_stays(app, world, make_citizen):
    citizen = make_citizen("Nguyễn Văn Hằng", phone="0911111111")
    path = f"/api/v1/citizens/{citizen.id}"
    alice, bob = Browser(app), Browser(app)
    alice_auth = api_client(alice, "xa_a", world.password)
    bob_auth = api_client(bob, "huyen", world.password)
    body_a = alice.get(path, headers=alice_auth).get_json()
    body_b = bob.get(path, headers=bob_auth).get_json()
    assert body_a["version"] == body_b["version"] == 1

    saved = alice.put(path, headers=alice_auth, json={**body_a, "phone": "0922222222"})
    assert saved.status_code == 200, saved.get_json()
    refused = bob.put(path, headers=bob_auth, json={**body_b, "phone": "0933333333"})

    assert refused.status_code == 409
    assert CONFLICT_API in refused.get_json()["error"]
    current = bob.get(path, headers=bob_auth).get_json()
    assert (current["phone"], current["version"]) == ("0922222222", 2)
    assert updates_of(citizen.id) == 1


@contextmanager
def saved_by_someone_else_during_the_request(app: Flask, citizen_id: int) -> Iterator[None]:
    """Commit another save of the citizen on its own connection right before the request's
    first flush: after the request checked the version, before its UPDATE."""
    state = {"done": False}

    def other_save(session: Any, _context: Any, _instances: Any) -> None:
        if state["done"] or not any(isinstance(o, Citizen) for o in session.dirty):
            return
        state["done"] = True
        with db.engine.connect() as other:
            other.execute(
                text(
                    "UPDATE citizens SET phone = '0944444444', version = version + 1 WHERE id = :id"
                ),
                {"id": citizen_id},
            )
            other.commit()

    event.listen(Session, "before_flush", other_save)
    try:
        yield
    finally:
        event.remove(Session, "before_flush", other_save)
    assert state["done"], "the concurrent save never happened"


def test_web_save_racing_past_the_version_check_is_a_conflict(app, staff, make_citizen):
    citizen = make_citizen("Nguyễn Văn Hằng", phone="0911111111")
    url = f"/citizens/{citizen.id}/edit"
    alice = staff("xa_a")
    form = load_form(alice, url)
    with saved_by_someone_else_during_the_request(app, citizen.id):
        response = alice.post(url, data={**form, "phone": "0922222222"})
    assert response.status_code == 200
    assert CONFLICT_WEB in response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Citizen, citizen.id)
    assert (stored.phone, stored.version) == ("0944444444", 2)
    assert updates_of(citizen.id) == 0


def test_api_save_racing_past_the_version_check_is_a_conflict(app, world, make_citizen):
    citizen = make_citizen("Nguyễn Văn Hằng", phone="0911111111")
    path = f"/api/v1/citizens/{citizen.id}"
    client = Browser(app)
    auth = api_client(client, "xa_a", world.password)
    body = client.get(path, headers=auth).get_json()
    with saved_by_someone_else_during_the_request(app, citizen.id):
        response = client.put(path, headers=auth, json={**body, "phone": "0922222222"})
    assert response.status_code == 409
    assert CONFLICT_API in response.get_json()["error"]
    db.session.expire_all()
    stored = db.session.get(Citizen, citizen.id)
    assert (stored.phone, stored.version) == ("0944444444", 2)
    assert updates_of(citizen.id) == 0
