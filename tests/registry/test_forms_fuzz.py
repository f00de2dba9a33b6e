"""Bad input to every web form (hypothesis), generated from the URL map so none is forgotten.

Each POST route of the web UI is posted random field values (any Unicode, control characters,
huge strings, numbers and dates in bad formats, empty and missing fields, extra fields) by a
staff user in scope, and must answer without a server error. The database is compared table
by table around every post: a refusal (the form shown again, an error status or a redirect
with a warning) changes nothing, and a change only ever comes with a plain redirect.
"""

from __future__ import annotations

import io
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

import criteria
from registry import jobs
from registry.awards.services import DecisionInput, approve
from registry.criteria_admin import services as criteria_services
from registry.extensions import db
from registry.imports import jobs as import_jobs
from registry.models import (
    Activity,
    ActivityCategory,
    Clan,
    Household,
    Job,
    Organisation,
    OrganisationMember,
    Recognition,
)
from registry.models.evaluation import EvaluationResult

# POST routes that take no input worth fuzzing, with the reason
EXCLUDED = {
    "auth.logout": "no fields: it only ends the staff session",
    "selfservice.logout": "no fields: it only forgets the citizen's lookup cookie",
}
# the JSON API is not a web form: it has its own schema and validation tests (test_api.py)
EXCLUDED_PREFIXES = ("api.",)


@pytest.fixture
def app_config(app_config, tmp_path):
    return {
        **app_config,
        "JOBS_SYNCHRONOUS": True,
        "IMPORTS_DIR": str(tmp_path / "imports"),
        "JOBS_DIR": str(tmp_path / "jobs"),
    }


# --- what gets posted ---------------------------------------------------------------------------

NASTY = [
    "", " ", "\t\n", "\x00", "a\x00b", "\x1b[31m", "\r\n\r\n", "\u200b", "\ufeff", "‮", "😀",
    "Nguye\u0302\u0303n Thi\u0323 Ha\u0300ng", "NGUYỄN THỊ HẰNG", "đ" * 300, "x" * 70_000,
    "<script>alert(1)</script>", "{{ 7*7 }}", "%(name)s", "' OR 1=1 --", "../../etc/passwd",
    "ß" * 60, "ﬃ" * 50, "Ǆ" * 45, "한국어 이름", "0", "-1", "1e309", "nan", "inf", "²", "١٢",
    "99999999999999999999", "9223372036854775808", "2147483648", "1.5", " 7 ", "True",
]  # fmt: skip
BAD_DATES = [
    "31/02/2024", "29/02/2023", "00/00/0000", "1/1/1899", "1/1/2101", "32/01/2025", "1/13/2025",
    "2025-13-01", "2025-02-30", "0001-01-01", "9999-12-31", "01/03/25", "01-03/2025",
    "١/٣/٢٠٢٥", "０５/０３/１９８０", "5/3/99999", "05/03/1980\x00", "\u00a005/03/1980",
    "2025-03-01",
]  # fmt: skip
GOOD_DATES = ["05/03/1980", "5/3/2025", "01-03-2025", "01.03.2025", "1/1/2000"]
BAD_IDS = ["-1", "0", "abc", "1.5", "99999999999999999999", "2147483648", "²", "١", " 1 ", ""]

nasty = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.integers().map(str),
    st.floats().map(str),
    st.sampled_from(BAD_DATES),
)


@dataclass(frozen=True)
class Field:
    """Plausible values of a form field, and values of the right shape but wrong."""

    good: tuple[str, ...]
    bad: tuple[str, ...] = ()

    def broken(self) -> st.SearchStrategy[Any]:
        good = st.sampled_from(self.good)
        poisoned = st.one_of(  # a plausible value with a NUL, a control character, or huge
            st.tuples(good, st.sampled_from(["\x00", "\x01", "\x1f", "\x7f", "\u2028"])).map(
                lambda pair: pair[0] + pair[1]
            ),
            good.map(lambda value: (value or "x") * 4000),
        )
        return (
            st.one_of(st.sampled_from(self.bad), nasty, poisoned) if self.bad else nasty | poisoned
        )


def one_of(*values: object) -> Field:
    return Field(tuple(str(v) for v in values))


def dates() -> Field:
    return Field(tuple(GOOD_DATES), tuple(BAD_DATES))


def ids(*values: object) -> Field:
    return Field(tuple(str(v) for v in values), tuple(BAD_IDS))


@st.composite
def bodies(draw: st.DrawFn, fields: dict[str, Any]) -> dict[str, Any]:
    """A form body: plausible values with one or two fields broken (missing, repeated or
    wrong), now and then none or all of them, plus extra fields."""
    names = [name for name, field in fields.items() if isinstance(field, Field)]
    mode = draw(st.integers(0, 9))
    if mode == 0 or not names:
        broken = set(names)
    elif mode <= 3:
        broken = set()
    else:
        broken = set(draw(st.lists(st.sampled_from(names), min_size=1, max_size=2)))
    body: dict[str, Any] = {}
    for name, field in fields.items():
        if not isinstance(field, Field):  # a file
            body[name] = draw(field)
        elif name not in broken:
            body[name] = draw(st.sampled_from(field.good))
        elif (how := draw(st.integers(0, 5))) == 0:
            continue  # a missing field
        else:
            body[name] = draw(field.broken())
            if how == 1:  # the same field twice (a crafted request)
                body[name] = [body[name], draw(nasty)]
    extra_names = st.sampled_from(["csrf_token", "id", "version", "submit", "next"]) | st.text(
        min_size=1, max_size=10
    )
    for name, value in draw(st.dictionaries(extra_names, nasty, max_size=2)).items():
        body.setdefault(name, value)
    return body


@st.composite
def uploads(draw: st.DrawFn, good: list[tuple[bytes, str]]) -> tuple[bytes, str]:
    """A file field: a good file, a damaged one or random bytes, under any name."""
    content, name = draw(st.sampled_from(good))
    if draw(st.integers(0, 4)) <= 1:
        return content, name
    content = draw(
        st.sampled_from(
            [content, content[: len(content) // 2], b"", b"\x00" * 10, b"\xff\xfe" + content]
        )
        | st.binary(max_size=300)
    )
    names = st.sampled_from([name, "x.xlsx", "x.toml", "x.XLSX", "", "..", "a\\b.toml"])
    return content, draw(names | nasty)


# --- the objects of commune A that the forms change ---------------------------------------------


@dataclass
class Sample:
    values: dict[str, Any]


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    book.active.title = "Công dân"
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_XLSX = _xlsx(
    [
        ["Họ và tên", "Giới tính", "Ngày sinh", "Mã thôn"],
        ["Lê Văn Tám", "Nam", "01/02/1990", "1286501"],
    ]
)
CITIZEN_SET = (criteria.SETS_DIR / "cong-dan-hoc-tap-v1.toml").read_text(encoding="utf-8")


def _set_version(version: int) -> str:
    return re.sub(r"^version = 1$", f"version = {version}", CITIZEN_SET, count=1, flags=re.M)


def _dry_run(world) -> Job:
    """A finished dry run of a clean file by xa_a, waiting for confirmation."""
    token = secrets.token_hex(16)
    import_jobs.upload_path(token).write_bytes(GOOD_XLSX)
    params = {"file": token, "filename": "mau.xlsx", "dry_run": True}
    user = world.users["xa_a"]
    return jobs.submit("import", params, actor=user, unit_id=user.unit_id)


def _result(world, citizen, village: str) -> EvaluationResult:
    result = EvaluationResult(
        year=2025,
        subject_type="citizen",
        subject_id=citizen.id,
        unit_id=world.units[village].id,
        set_id="cong-dan-hoc-tap",
        set_version=1,
        total=95,
        passed=True,
    )
    db.session.add(result)
    return result


def _recognition(world, citizen) -> Recognition:
    """A recognition issued by the real approval (its certificate snapshot is complete)."""
    result = _result(world, citizen, "village_a1")
    db.session.flush()
    particulars = DecisionInput(
        number="1/QĐ-UBND",
        decided_on=date(2025, 12, 1),
        issuer_name="Ủy ban nhân dân xã Tân Hòa",
        issuer_short="UBND XÃ TÂN HÒA",
        place_name="Tân Hòa",
        signer_title="CHỦ TỊCH",
        signer_name="Nguyễn Văn A",
    )
    decision = approve(
        world.users["xa_a"],
        2025,
        "citizen",
        [result.id],
        particulars,
        public_base_url="https://khuyenhoc.example.vn",
    )
    return decision.recognitions[0]


@pytest.fixture
def sample(world, make_citizen) -> Sample:
    """Objects of commune A (12865) for every path parameter, a passed result waiting for
    approval, a draft criteria set and a clean import dry run waiting for confirmation."""
    citizen = make_citizen("Nguyễn Thị Hằng", gender="F", cccd="001180000001")
    village = world.units["village_a1"]
    household = Household(code="HFUZZ", village=village, address="Xóm 1")
    clan = Clan(code="DHFUZZ", name="Họ Lê", search_name="ho le", unit=world.units["commune_a"])
    organisation = Organisation(
        code="DVFUZZ",
        name="Trường Tân Hòa",
        search_name="truong tan hoa",
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
        citizen=citizen, category=category, title="Lớp tin học", held_on=date(2025, 3, 1), hours=3
    )
    db.session.add_all([member, activity])
    other = make_citizen("Trần Văn Nam", village="village_a2")
    proposal = _result(world, other, "village_a2")  # passed, not yet recognised
    recognition = _recognition(world, citizen)
    db.session.commit()
    upload = criteria_services.upload_set(
        world.users["admin"], "cong-dan-hoc-tap-v7.toml", _set_version(7).encode()
    )
    db.session.commit()
    units = world.units
    return Sample(
        {
            "citizen_id": citizen.id,
            "citizen_code": citizen.code,
            "other_code": other.code,
            "household_id": household.id,
            "clan_id": clan.id,
            "organisation_id": organisation.id,
            "member_id": member.id,
            "activity_id": activity.id,
            "category_id": category.id,
            "job_id": _dry_run(world).id,
            "recognition_id": recognition.id,
            "result_id": proposal.id,
            "subject_id": citizen.id,
            "kind": "citizen",
            "code": "12865",
            "user_id": world.users["xa_b"].id,
            "upload_id": upload.id,
            "villages": [units[k].id for k in ("village_a1", "village_a2", "village_b1")],
            "communes": [units[k].id for k in ("commune_a", "commune_b", "district", "province")],
        }
    )


# --- the forms ----------------------------------------------------------------------------------

Fields = Callable[[dict[str, Any]], dict[str, Any]]
ATTESTED = sorted(
    {
        c.id
        for s in criteria.load_all()
        for c in s.criteria
        if isinstance(c.params, criteria.AttestedParams)
    }
)


@dataclass(frozen=True)
class Form:
    """How to fuzz one route: who posts, its fields, how many examples."""

    user: str | None
    fields: Fields
    examples: int = 25
    # a 200 without an error may be a step of the form (a confirmation page), not a refusal
    steps: bool = False
    # a redirect without a message is fine (the language switch, a login)
    quiet: bool = False


def choice(good: tuple[object, ...], bad: tuple[object, ...] = ()) -> Field:
    """A field whose plausible values are ``good``; ``bad`` are typical wrong ones."""
    return Field(tuple(str(v) for v in good), tuple(str(v) for v in bad))


def citizen_fields(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "full_name": one_of("Nguyễn Văn An", "lê thị  bích ", "Đặng Thị Hằng", "An"),
        "gender": choice(("M", "F"), ("X", "m", "Nam")),
        "birth_date": dates(),
        "cccd": choice(("", "001080000009", "001180000002"), ("001180000001", "123", "0" * 13)),
        "phone": choice(("", "0912345678"), ("+84912345678", "091234567", "09123456789")),
        "village_id": ids(*s["villages"][:2], *s["villages"][:2], *s["villages"][2:]),
        "household_code": choice(("", "HFUZZ"), ("hfuzz", "NOPE")),
        "relation": choice(("", "head", "spouse", "child", "other"), ("boss", "HEAD")),
        "clan_id": ids("", s["clan_id"]),
        "status": choice(("active", "active", "moved", "deceased"), ("ghost", "")),
        "left_on": Field(("", "", *GOOD_DATES), tuple(BAD_DATES)),
        "version": ids("", 1, 2, 3),
    }


def activity_fields(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "category_id": ids(s["category_id"], s["category_id"] + 1, "tthtcd"),
        "title": one_of("Lớp tin học", "Đọc sách"),
        "provider": one_of("", "TTHTCĐ Tân Hòa"),
        "held_on": Field(("01/03/2025", "5/3/2025", "1.3.2025"), tuple(BAD_DATES)),
        "ended_on": Field(("", "02/03/2025", "01/03/2025"), (*BAD_DATES, "28/02/2025")),
        "hours": choice(("1", "2,5", "2000", "0.25"), ("2000,01", "0", "-3", "1e3", "nan", "inf")),
        "evidence": one_of("", "Giấy chứng nhận"),
        "version": ids("", 1, 2, 3),
    }


def household_fields(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "village_id": ids(*s["villages"][:2], *s["villages"][2:], *s["communes"]),
        "address": one_of("", "Xóm 2", "Số 1, ngõ 2"),
        "head_id": ids("", s["citizen_id"]),
        "version": ids("", 1, 2, 3),
    }


def clan_fields(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": one_of("Dòng họ Nguyễn Đình", "Họ Lê"),
        "unit_id": ids(*s["villages"], *s["communes"]),
        "note": one_of("", "Nhà thờ họ ở thôn Đông"),
        "version": ids("", 1, 2, 3),
    }


def organisation_fields(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": one_of("Trường THCS Tân Hòa", "UBND xã"),
        "kind": choice(("agency", "school", "enterprise", "other"), ("church", "")),
        "unit_id": ids(*s["villages"], *s["communes"]),
        "version": ids("", 1, 2, 3),
    }


def user_fields(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "username": choice(("can-bo-moi", "can_bo_2"), ("xa_b", "admin", "Cán bộ", "")),
        "full_name": one_of("", "Nguyễn Văn Cán"),
        "role": choice(("commune", "viewer", "district"), ("admin", "province", "root", "")),
        "unit": choice(("12865", "12868"), ("1286501", "34", "344", "nope")),
        "active": choice(("y", ""), ("false", "0")),
        "password": choice(("mat-khau-moi-123",), ("short", "")),
        "confirm": choice(("mat-khau-moi-123",), ("other",)),
    }


def decision_fields(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "year": choice((2025,), (2024, 1999, 2101, "²")),
        "kind": choice(("citizen",), ("household", "village", "dragon")),
        "unit": choice(("", "12865", "1286502"), ("12868", "34", "nope")),
        "selection": choice(("all", s["result_id"]), (f"{s['result_id']},1,2", "²", ",,,")),
        "action": choice(("all", "selected")),
        "ids": ids(s["result_id"]),
        "number": choice(("12/QĐ-UBND", "13/QĐ-UBND"), ("1/QĐ-UBND", "")),
        "decided_on": Field(("01/12/2025", "27/11/2026"), (*BAD_DATES, "28/11/2026")),
        "issuer_name": one_of("Ủy ban nhân dân xã Tân Hòa"),
        "issuer_short": one_of("ỦY BAN NHÂN DÂN\nXÃ TÂN HÒA"),
        "place_name": one_of("Tân Hòa"),
        "signer_title": one_of("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
        "signer_name": one_of("Nguyễn Văn A"),
    }


def unit_fields(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": choice(("1286503", "A.1-b"), ("12865", "x y", "")),
        "name": one_of("Thôn Bắc", "Tân Hòa"),
        "kind": choice(("thôn", "xã", "tổ dân phố"), ("vương quốc",)),
        "level": choice(("village",), ("commune", "province", "planet")),
        "valid_from": Field(("", "01/01/2020"), tuple(BAD_DATES)),
        "valid_to": Field(("", "", "31/12/2030"), (*BAD_DATES, "01/01/2019")),
        "version": ids("", 1, 2, 3),
        "new_unit": choice(("12868",), ("12865", "344", "1286801", "nope")),
        "effective_on": Field(("01/01/2026",), tuple(BAD_DATES)),
        "note": one_of("", "Nghị quyết 1/NQ"),
        "confirmed": choice(("", "1"), ("0", "yes")),
    }


def assessment_fields(s: dict[str, Any]) -> dict[str, Any]:
    values = choice(("", "1", "0", "có", "7,5", "10"), ("11", "-1", "nan", "inf", "maybe"))
    fields: dict[str, Any] = dict.fromkeys(ATTESTED, values)
    fields.update({f"{c}:evidence": one_of("", "Biên bản họp") for c in ATTESTED[:3]})
    return fields


def no_fields(s: dict[str, Any]) -> dict[str, Any]:
    return {}


GOOD_TOML = [(_set_version(8).encode(), "cong-dan-hoc-tap-v8.toml"), (b"id = 1", "x.toml")]

FORMS: dict[str, Form] = {
    "activities.create": Form("xa_a", activity_fields, 30),
    "activities.edit": Form("xa_a", activity_fields, 30),
    "activities.delete": Form("xa_a", no_fields, 5),
    # a password is hashed on every valid example: fewer of them
    "admin.create_user": Form("admin", user_fields, 15),
    "admin.edit_user": Form("admin", user_fields, 15),
    "admin.reset_password": Form("admin", user_fields, 15),
    "auth.login": Form(
        None,
        lambda s: {
            "username": one_of("xa_a", "XA_A", "admin"),
            "password": one_of("mat-khau-123", "sai"),
            "remember": one_of("y"),
        },
        quiet=True,
    ),
    "auth.password": Form(
        "xa_a",
        lambda s: {
            "current": one_of("mat-khau-123", "sai"),
            "new": one_of("mat-khau-moi-456", "ngan"),
            "confirm": one_of("mat-khau-moi-456", "khac"),
        },
    ),
    "awards.approve": Form("xa_a", decision_fields, steps=True),
    "awards.approve_confirm": Form("xa_a", decision_fields, 30),
    "awards.print_batch": Form("xa_a", decision_fields, 8),  # a valid example renders a PDF
    "awards.revoke": Form("xa_a", lambda s: {"reason": one_of("Khai man hồ sơ")}),
    "citizens.create": Form("xa_a", citizen_fields, 40),
    "citizens.edit": Form("xa_a", citizen_fields, 40),
    "citizens.delete": Form("xa_a", no_fields, 5),
    "clans.create": Form("xa_a", clan_fields),
    "clans.edit": Form("xa_a", clan_fields),
    "clans.delete": Form("xa_a", no_fields, 5),
    "criteria_admin.upload": Form("admin", lambda s: {"file": uploads(GOOD_TOML)}, 30),
    "criteria_admin.activate": Form("admin", no_fields, 5),
    "criteria_admin.retire": Form("admin", no_fields, 5),
    "evaluation.assess": Form("xa_a", assessment_fields, 30),
    "evaluation.run": Form("xa_a", lambda s: {"year": choice((2025,), (1999, 2101, "²"))}, 10),
    "households.create": Form("xa_a", household_fields),
    "households.edit": Form("xa_a", household_fields),
    "households.delete": Form("xa_a", no_fields, 5),
    "imports.index": Form("xa_a", lambda s: {"file": uploads([(GOOD_XLSX, "mau.xlsx")])}, 20),
    "imports.confirm": Form("xa_a", no_fields, 5),
    "main.set_language": Form(
        None, lambda s: {"next": one_of("/citizens/", "//evil.example", "https://evil")}, quiet=True
    ),
    "organisations.create": Form("xa_a", organisation_fields),
    "organisations.edit": Form("xa_a", organisation_fields),
    "organisations.delete": Form("xa_a", no_fields, 5),
    "organisations.add_member": Form(
        "xa_a",
        lambda s: {
            "citizen_code": one_of(s["citizen_code"], s["other_code"], "CD0000000000"),
            "role": choice(("staff", "learner"), ("boss", "")),
        },
    ),
    "organisations.remove_member": Form("xa_a", no_fields, 5),
    "selfservice.lookup": Form(
        None,
        lambda s: {
            "identifier": one_of(s["citizen_code"], "001180000001", "CD0000000000"),
            "birth_date": one_of("17/05/1980", "17051980", *GOOD_DATES),
        },
        quiet=True,
    ),
    "units.create": Form("admin", unit_fields),
    "units.edit": Form("admin", unit_fields),
    "units.merge": Form("admin", unit_fields, 30, steps=True),
}
# path parameters that are not objects of the sample
PATH_VALUES = {"main.set_language": {"code": "en"}}


def post_routes(app) -> dict[str, Any]:
    """Every route of the web UI that may change something (the JSON API excepted)."""
    changing = {"POST", "PUT", "PATCH", "DELETE"}
    return {
        rule.endpoint: rule
        for rule in app.url_map.iter_rules()
        if changing & set(rule.methods or ()) and not rule.endpoint.startswith(EXCLUDED_PREFIXES)
    }


def test_every_post_route_is_fuzzed_or_excluded(app):
    routes = set(post_routes(app))
    forgotten = routes - set(FORMS) - set(EXCLUDED)
    assert not forgotten, (
        f"add these POST routes to FORMS (or EXCLUDED, with a reason): {forgotten}"
    )
    assert not (set(FORMS) | set(EXCLUDED)) - routes, "FORMS names a route that no longer exists"
    assert all(EXCLUDED.values())


# --- the property -------------------------------------------------------------------------------

ERROR_MARKERS = ('class="error"', "flash-danger", "flash-warning", 'aria-invalid="true"')


def snapshot() -> dict[str, list[str]]:
    """Every committed row of every table (the test database holds a few dozen rows)."""
    db.session.rollback()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
        for table in db.metadata.sorted_tables
    }


def url_of(rule, sample: Sample) -> str:
    values = {**sample.values, **PATH_VALUES.get(rule.endpoint, {})}
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(values[arg]), url)
    return url


def encode(body: dict[str, Any]) -> dict[str, Any]:
    """Files as fresh streams (a stream is consumed by the request)."""
    return {
        key: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
        for key, value in body.items()
    }


def pending_flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def check_post(client, url: str, body: dict[str, Any], form: Form) -> None:
    pending_flashes(client)  # e.g. the login fixture's "please log in" after its logout
    before = snapshot()
    response = client.post(url, data=encode(body))
    status = response.status_code
    assert status < 500, (url, body)
    after = snapshot()
    flashes = pending_flashes(client)
    refusals = [m for category, m in flashes if category in {"danger", "warning"}]
    if after != before:
        assert status == 302, (url, status, body)  # a change only comes with a plain redirect
        assert not refusals, (url, refusals, body)  # …and never with a refusal
    elif status == 200 and not form.steps:
        page = response.get_data(as_text=True)
        assert any(marker in page for marker in ERROR_MARKERS), (url, body)
    elif status == 302 and not form.quiet:
        assert flashes, (url, body)  # a refusal by redirect says why
    failed = db.session.scalar(select(func.count()).where(Job.status == "failed"))
    assert not failed, db.session.scalars(select(Job.message).where(Job.status == "failed")).all()


@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_form_refuses_bad_input_cleanly(app, client, login, sample, endpoint):
    form = FORMS[endpoint]
    rule = post_routes(app)[endpoint]
    web = login(form.user) if form.user else client
    url = url_of(rule, sample)

    @settings(
        max_examples=form.examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(body=bodies(form.fields(sample.values)))
    def post(body: dict[str, Any]) -> None:
        check_post(web, url, body, form)

    post()


# --- the sample and the bugs the properties found -----------------------------------------------


def test_sample_is_reachable(app, login, sample):
    """The fuzzed forms do reach their objects (not a 404 for every example)."""
    for endpoint, form in FORMS.items():
        if form.user is None:
            continue
        web = login(form.user)
        response = web.get(url_of(post_routes(app)[endpoint], sample))
        assert response.status_code in {200, 302, 405}, (endpoint, response.status_code)
    assert json.loads(db.session.get(Job, sample.values["job_id"]).params)["dry_run"]


HUGE = "99999999999999999999"
V = "<village>"  # replaced by the id of village A1
C = "<commune>"  # replaced by the id of commune A


def post_refused(app, login, sample, user: str, endpoint: str, body: dict[str, str]) -> Any:
    """Post ``body`` and check that it was refused without a server error or a write."""
    web = login(user)
    pending_flashes(web)
    ids = {V: str(sample.values["villages"][0]), C: str(sample.values["communes"][0])}
    before = snapshot()
    response = web.post(
        url_of(post_routes(app)[endpoint], sample),
        data={key: ids.get(value, value) for key, value in body.items()},
    )
    assert response.status_code in {200, 302, 400, 404}, response.status_code
    assert snapshot() == before
    return response


CITIZEN = {"full_name": "Lê Văn Tám", "gender": "M", "birth_date": "01/02/1990", "village_id": V}
ACTIVITY = {"category_id": "1", "title": "Đọc sách", "held_on": "01/03/2025", "hours": "2"}


OVERFLOWING_IDS = [
    ("citizens.create", {**CITIZEN, "village_id": HUGE}, "village_id"),
    ("citizens.create", {**CITIZEN, "clan_id": HUGE}, "clan_id"),
    ("households.create", {"village_id": HUGE}, "village_id"),
    ("households.edit", {"head_id": HUGE, "version": "1"}, "head_id"),
    ("clans.create", {"name": "Họ Lê", "unit_id": HUGE}, "unit_id"),
    ("organisations.create", {"name": "Trường", "kind": "school", "unit_id": HUGE}, "unit_id"),
    ("activities.create", {**ACTIVITY, "category_id": HUGE}, "category_id"),
]


def test_an_id_beyond_32_bits_is_a_field_error(app, login, sample):
    """The database's integer columns overflowed: a server error on SQLite and PostgreSQL."""
    for endpoint, body, field in OVERFLOWING_IDS:
        response = post_refused(app, login, sample, "xa_a", endpoint, body)
        assert response.status_code == 200, endpoint
        assert f'id="{field}-err"' in response.get_data(as_text=True), endpoint


OTHER_DIGITS = [
    ("awards.approve", {"year": "2025", "ids": "²"}),
    ("awards.approve", {"year": "²", "ids": "1"}),
    ("awards.approve", {"year": "2025", "ids": HUGE}),
    ("awards.approve_confirm", {"year": "2025", "kind": "citizen", "selection": "²"}),
    ("awards.print_batch", {"year": "²"}),
    ("evaluation.run", {"year": "²"}),
    ("citizens.edit", {**CITIZEN, "version": "abc"}),
    ("citizens.edit", {**CITIZEN, "version": "²"}),
    ("households.edit", {"address": "Xóm 9", "version": "²"}),
    ("clans.edit", {"name": "Họ Lê", "unit_id": C, "version": "²"}),
    ("organisations.edit", {"name": "Trường", "kind": "school", "unit_id": C, "version": "²"}),
    ("activities.edit", {**ACTIVITY, "version": "²"}),
]


def test_numbers_in_other_digits_are_not_a_server_error(app, login, sample):
    """``str.isdigit`` accepts "²" but ``int()`` does not: these were server errors. A version
    that is no number is ignored (as before for every form but the citizen's)."""
    web = login("xa_a")
    ids = {C: str(sample.values["communes"][0])}
    for endpoint, body in OTHER_DIGITS:
        data = {key: ids.get(value, value) for key, value in body.items()}
        response = web.post(url_of(post_routes(app)[endpoint], sample), data=data)
        assert response.status_code < 500, endpoint


WITH_NUL = [
    ("xa_a", "citizens.create", {**CITIZEN, "full_name": "Lê\x00Văn Tám"}),
    ("xa_a", "households.create", {"village_id": V, "address": "Xóm\x001"}),
    ("xa_a", "awards.revoke", {"reason": "Khai man\x00"}),
    ("xa_a", "evaluation.assess", {"ke-hoach-hoc-tap": "1", "ke-hoach-hoc-tap:evidence": "\x00"}),
    ("admin", "units.create", {"code": "1286509", "name": "Thôn\x00", "level": "village"}),
    ("admin", "admin.create_user", {"username": "abc", "unit": "12865\x00"}),
]


def test_a_nul_character_is_refused_before_the_database(app, login, sample):
    """PostgreSQL cannot hold NUL in text: every text field of every form was a server error."""
    for user, endpoint, body in WITH_NUL:
        response = post_refused(app, login, sample, user, endpoint, body)
        assert response.status_code == 400, endpoint
        assert "Yêu cầu không hợp lệ." in response.get_data(as_text=True)


def test_a_nul_character_in_a_file_name_or_a_path_is_refused(app, login, sample):
    web = login("admin")
    upload = {"file": (io.BytesIO(_set_version(9).encode()), "cong-dan-hoc-tap-v9\x00.toml")}
    assert web.post("/criteria/upload", data=upload).status_code == 400
    assert web.get("/units/12865%00").status_code == 400
    # a crafted multipart part without a name (werkzeug reads its name as None)
    nameless = {"file": (io.BytesIO(b"id = 1"), "x.toml"), "\n": "", "a": "\x00"}
    assert web.post("/criteria/upload", data=nameless).status_code == 400


def test_query_numbers_in_other_digits_are_ignored(app, login, sample):
    web = login("xa_a")
    for url in (
        "/citizens/?page=²",
        "/citizens/new?household=²",
        "/citizens/new?household=" + HUGE,
        "/evaluation/?year=²",
        "/awards/?year=²",
        "/awards/proposals?year=²",
        "/reports/?year=²",
        f"/criteria/{sample.values['upload_id']}/what-if?year=²",
    ):
        assert web.get(url).status_code in {200, 302}, url
