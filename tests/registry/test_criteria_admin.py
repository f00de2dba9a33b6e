"""Criteria sets as data in the web UI: upload, validation, what-if preview, activate, retire."""

from __future__ import annotations

import html
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

import criteria
from registry.criteria_admin import services, whatif
from registry.errors import OutOfScope, ValidationFailed
from registry.evaluation.services import evaluate_year
from registry.evaluation.sets import all_sets, applicable
from registry.extensions import db
from registry.models import (
    Activity,
    ActivityCategory,
    Assessment,
    AuditEntry,
    CriteriaUpload,
    EvaluationResult,
    UploadStatus,
)
from registry.models._mixins import utcnow

YEAR = 2025
V1_TEXT = (criteria.SETS_DIR / "cong-dan-hoc-tap-v1.toml").read_text(encoding="utf-8")
ATTESTED = (
    "ke-hoach-hoc-tap",
    "dong-vien-hoc-tap",
    "ngoai-ngu",
    "tinh-toan",
    "tu-duy-phan-bien",
    "quan-he-than-thien",
    "hop-tac-chia-se",
)


def version_text(version: int, min_total: int = 90, scope: str | None = None) -> str:
    """The shipped citizen set as a new version with another pass mark (and maybe a scope)."""
    text = re.sub(r"^version = 1$", f"version = {version}", V1_TEXT, count=1, flags=re.M)
    text = re.sub(r"^min_total = 80$", f"min_total = {min_total}", text, count=1, flags=re.M)
    if scope is not None:
        text = text.replace("subject = ", f'scope = "{scope}"\nsubject = ', 1)
    return text


def post_file(client, text: str | bytes, name: str = "cong-dan-hoc-tap-v2.toml"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        "/criteria/upload",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def uploads() -> list[CriteriaUpload]:
    return list(db.session.scalars(select(CriteriaUpload).order_by(CriteriaUpload.id)))


def audit_actions() -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "CriteriaUpload")
            .order_by(AuditEntry.id)
        )
    )


def citizen_set(world):
    return applicable(all_sets(), "citizen", YEAR, world.units["village_a1"])


def draft(world, text: str | None = None) -> CriteriaUpload:
    upload = services.upload_set(
        world.users["admin"], "cong-dan-hoc-tap-v2.toml", (text or version_text(2)).encode()
    )
    db.session.commit()
    return upload


# --- a hand-built world: 3 citizens pass under v1 (≥ 80), 1 under v2 (≥ 90) ------------------


def _learn(citizen, code: str, hours: float, month: int = 3) -> None:
    category = db.session.scalar(select(ActivityCategory).where(ActivityCategory.code == code))
    db.session.add(
        Activity(
            citizen=citizen,
            category=category,
            title="Lớp học",
            held_on=date(YEAR, month, 1),
            hours=hours,
        )
    )


def _learner(make_citizen, name: str, village: str, score: float | None):
    """30 activity points (every activity criterion full) plus 7 attested scores."""
    citizen = make_citizen(name, village=village, birth_date=date(1980, 1, 1))
    _learn(citizen, "self_study", 30)
    _learn(citizen, "tthtcd", 20)
    for month in (4, 5, 6):
        _learn(citizen, "online", 1, month)
    for criterion_id in ATTESTED if score is not None else ():
        db.session.add(
            Assessment(
                subject_type="citizen",
                subject_id=citizen.id,
                year=YEAR,
                criterion_id=criterion_id,
                score=score,
                evidence="Biên bản họp",
            )
        )
    return citizen


@pytest.fixture
def learners(world, make_citizen):
    """A1: 100 points and 30 points; A2: 86; B1: 86; and a child (not evaluated)."""
    people = {
        "top": _learner(make_citizen, "Nguyễn Văn An", "village_a1", 10),  # 100
        "none": _learner(make_citizen, "Lê Văn Dũng", "village_a1", None),  # 30
        "a2": _learner(make_citizen, "Trần Thị Bình", "village_a2", 8),  # 86
        "b1": _learner(make_citizen, "Phạm Văn Cường", "village_b1", 8),  # 86
    }
    make_citizen("Nguyễn Minh Châu", birth_date=date(2015, 9, 2))
    db.session.commit()
    return people


# --- upload ---------------------------------------------------------------------------------


def test_pages_link_and_show_the_shipped_sources(world, login):
    client = login("xem_a")
    assert 'href="/criteria/"' in page(client.get("/evaluation/"))
    listing = page(client.get("/criteria/"))
    assert "cong-dan-hoc-tap-v1" in listing
    assert "Tải lên phiên bản mới" not in listing  # admins only
    source = page(client.get("/criteria/shipped/cong-dan-hoc-tap-v1"))
    assert "min_total = 80" in source
    assert "Toàn quốc (mặc định)" in source
    assert client.get("/criteria/shipped/khong-co-v1").status_code == 404
    assert client.get("/criteria/999").status_code == 404
    assert "Tải lên phiên bản mới" in page(login("admin").get("/criteria/"))
    assert client.get("/criteria/upload").status_code == 200


def test_valid_new_version_is_stored_as_a_draft_not_used_yet(world, login):
    client = login("admin")
    response = post_file(client, version_text(2))
    assert response.status_code == 302
    [upload] = uploads()
    assert (upload.set_id, upload.version, upload.status) == (
        "cong-dan-hoc-tap",
        2,
        UploadStatus.draft,
    )
    assert upload.filename == "cong-dan-hoc-tap-v2.toml"
    assert upload.uploaded_by_id == world.users["admin"].id
    assert response.headers["Location"].endswith(f"/criteria/{upload.id}/what-if")
    assert ("cong-dan-hoc-tap", 2) not in {(s.id, s.version) for s in all_sets()}
    assert citizen_set(world).version == 1
    assert audit_actions() == ["create"]
    listing = page(client.get("/criteria/"))
    assert "cong-dan-hoc-tap-v2" in listing
    assert "Bản nháp" in listing
    assert "Cài sẵn" in listing
    source = page(client.get(f"/criteria/{upload.id}"))
    assert "min_total = 90" in source


def test_broken_file_is_refused_with_file_place_and_problem(world, login):
    client = login("admin")
    broken = version_text(2).replace(
        "thresholds = [[30, 10], [15, 8], [5, 5]]", "thresholds = [[30, 12], [15, 8], [5, 5]]"
    )
    broken = broken.replace('measure = "count"', 'measure = "count"\nunknwn = 1')
    text = page(post_file(client, broken, "hong.toml"))
    assert 'hong.toml: criteria[1] "doc-cap-nhat-thong-tin".thresholds[1]: điểm 12' in text
    assert "hong.toml: criteria[5] \"ung-dung-cntt\": khóa không hợp lệ (unknown key) 'unknwn'" in (
        text
    )
    assert "chưa lưu gì" in text
    assert uploads() == []
    assert audit_actions() == []


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ('id = "x"\nversion = = 2\n', "cu-phap.toml", "cu-phap.toml: lỗi cú pháp TOML"),
        ('id = "x"\nversion = = 2\n', "cu-phap.toml", "(at line 2, column 11)"),
        (b"id = 'x'\ntitle = '\xff'\n", "latin.toml", "latin.toml: dòng 2: không"),
        ("x = 1\n", "bo-tieu-chi.txt", "bo-tieu-chi.txt: tệp phải có đuôi .toml"),
        ("#" * (201 * 1024), "lon.toml", "lon.toml: tệp 200 KB, vượt quá giới hạn 200 KB"),
    ],
)
def test_unreadable_files_are_refused(world, login, content, name, expected):
    text = page(post_file(login("admin"), content, name))
    assert expected in text
    assert uploads() == []


def test_duplicate_id_and_version_are_refused(world, login):
    client = login("admin")
    text = page(post_file(client, V1_TEXT, "cong-dan-hoc-tap-v1.toml"))
    assert "cong-dan-hoc-tap-v1.toml: version: cong-dan-hoc-tap-v1 đã có" in text
    assert uploads() == []
    assert post_file(client, version_text(2)).status_code == 302
    text = page(post_file(client, version_text(2, min_total=85), "lan-hai.toml"))
    assert "lan-hai.toml: version: cong-dan-hoc-tap-v2 đã được tải lên" in text
    assert len(uploads()) == 1


def test_a_set_that_would_tie_with_one_in_use_is_refused(world, login):
    upload = draft(world)
    services.activate(world.users["admin"], upload)
    db.session.commit()
    other = version_text(2).replace('id = "cong-dan-hoc-tap"', 'id = "cong-dan-so"', 1)
    text = page(post_file(login("admin"), other, "cong-dan-so-v2.toml"))
    assert "cong-dan-so-v2.toml: version: trùng thứ tự ưu tiên với cong-dan-hoc-tap-v2" in text
    assert len(uploads()) == 1


@pytest.mark.parametrize("username", ["tinh", "huyen", "xa_a", "xem_a"])
def test_only_admins_upload(world, login, username):
    client = login(username)
    assert client.get("/criteria/upload").status_code == 403
    assert post_file(client, version_text(2)).status_code == 403
    assert uploads() == []
    with pytest.raises(OutOfScope):
        services.upload_set(world.users[username], "v2.toml", version_text(2).encode())


# --- what-if ------------------------------------------------------------------------------------


def test_what_if_counts_passes_under_the_draft_and_the_current_set(world, learners):
    upload = draft(world)
    cset = services.parsed(upload)
    result = whatif.preview(world.users["huyen"], cset, YEAR)
    assert result.current_keys == ["cong-dan-hoc-tap-v1"]
    assert result.proposed_keys == ["cong-dan-hoc-tap-v2"]
    assert (result.total.current.subjects, result.total.current.passed) == (4, 3)
    assert (result.total.proposed.subjects, result.total.proposed.passed) == (4, 1)
    by_code = {r.unit.code: r for r in result.rows}
    assert set(by_code) == {"12865", "12868"}
    assert (by_code["12865"].current.passed, by_code["12865"].proposed.passed) == (2, 1)
    assert (by_code["12868"].current.passed, by_code["12868"].proposed.passed) == (1, 0)
    assert by_code["12865"].current.subjects == 3
    # a preview writes nothing
    assert db.session.scalar(select(func.count()).select_from(EvaluationResult)) == 0


def test_what_if_of_a_commune_override_changes_only_that_commune(world, learners):
    upload = draft(world, version_text(2, scope="12865"))
    result = whatif.preview(world.users["tinh"], services.parsed(upload), YEAR)
    assert result.proposed_keys == ["cong-dan-hoc-tap-v1", "cong-dan-hoc-tap-v2"]
    assert (result.total.current.passed, result.total.proposed.passed) == (3, 2)


def test_what_if_page_is_scoped_to_the_officials_unit(world, learners, login):
    upload = draft(world)
    text = page(login("xa_a").get(f"/criteria/{upload.id}/what-if?year={YEAR}"))
    assert "Thôn Đông" in text
    assert "Thôn Đoài" in text
    assert "Thôn Nam" not in text
    assert "kết quả đã lưu" in text
    rows = re.findall(r"<tr><td>[^<]*(Đông|Đoài)</td>(.*?)</tr>", text, flags=re.S)
    numbers = {name: re.findall(r'class="num">([^<]*)<', cells) for name, cells in rows}
    assert numbers["Đông"] == ["2", "1", "50,0%", "2", "1", "50,0%", "0"]
    assert numbers["Đoài"] == ["1", "1", "100,0%", "1", "0", "0,0%", "-1"]


# --- activation and retirement ------------------------------------------------------------------


def test_activation_makes_the_evaluation_use_the_new_version(world, learners, login):
    upload = draft(world)
    client = login("tinh")
    confirm = page(client.get(f"/criteria/{upload.id}/activate"))
    assert "Áp dụng bộ tiêu chí cong-dan-hoc-tap-v2" in confirm
    response = client.post(f"/criteria/{upload.id}/activate")
    assert response.status_code == 302
    db.session.refresh(upload)
    assert upload.status is UploadStatus.active
    assert upload.activated_by_id == world.users["tinh"].id
    assert upload.activated_at is not None
    assert citizen_set(world).version == 2
    detail = page(client.get(response.headers["Location"]))
    assert "Chạy lại đánh giá để áp dụng" in detail
    assert 'href="/evaluation/"' in detail
    evaluate_year(YEAR)
    db.session.commit()
    stored = db.session.scalars(
        select(EvaluationResult).where(EvaluationResult.subject_type == "citizen")
    ).all()
    assert {(r.set_id, r.set_version) for r in stored} == {("cong-dan-hoc-tap", 2)}
    assert sorted(r.passed for r in stored) == [False, False, False, True]
    assert audit_actions() == ["create", "activate"]


def test_retiring_goes_back_to_the_shipped_version(world, learners, login):
    upload = draft(world)
    client = login("admin")
    client.post(f"/criteria/{upload.id}/activate")
    assert citizen_set(world).version == 2
    assert "Ngừng áp dụng" in page(client.get(f"/criteria/{upload.id}/retire"))
    assert client.post(f"/criteria/{upload.id}/retire").status_code == 302
    db.session.refresh(upload)
    assert upload.status is UploadStatus.retired
    assert upload.retired_by_id == world.users["admin"].id
    assert citizen_set(world).version == 1
    evaluate_year(YEAR)
    versions = db.session.scalars(
        select(EvaluationResult.set_version).where(EvaluationResult.subject_type == "citizen")
    ).all()
    assert set(versions) == {1}
    assert (
        sum(
            db.session.scalars(
                select(EvaluationResult.passed).where(EvaluationResult.subject_type == "citizen")
            )
        )
        == 3
    )
    assert audit_actions() == ["create", "activate", "retire"]
    # a retired version is never activated again
    client.post(f"/criteria/{upload.id}/activate")
    db.session.refresh(upload)
    assert upload.status is UploadStatus.retired


def test_a_draft_can_be_discarded(world, login):
    upload = draft(world)
    client = login("admin")
    assert "Hủy bản nháp cong-dan-hoc-tap-v2" in page(client.get(f"/criteria/{upload.id}/retire"))
    client.post(f"/criteria/{upload.id}/retire")
    db.session.refresh(upload)
    assert upload.status is UploadStatus.retired
    assert upload.activated_at is None
    assert client.get(f"/criteria/{upload.id}/what-if").status_code == 404
    assert audit_actions() == ["create", "retire"]


def test_preview_year_falls_inside_the_drafts_validity():
    cset = criteria.parse_set(
        version_text(2).replace("valid_from = 2022", "valid_from = 2027"), "x"
    )
    assert whatif.default_year(cset, [2025, 2024], 2026) == 2027
    assert whatif.default_year(cset, [], 2028) == 2028


def test_what_if_says_when_the_draft_applies_nowhere(world, learners, login):
    later = version_text(2).replace("valid_from = 2022", "valid_from = 2030")
    upload = draft(world, later)
    text = page(login("tinh").get(f"/criteria/{upload.id}/what-if?year={YEAR}"))
    assert "không được chọn cho đối tượng nào" in text


@pytest.mark.parametrize("username", ["huyen", "xa_a", "xem_a"])
def test_only_admin_and_province_officials_activate(world, login, username):
    upload = draft(world)
    client = login(username)
    assert client.get(f"/criteria/{upload.id}/activate").status_code == 403
    assert client.post(f"/criteria/{upload.id}/activate").status_code == 403
    assert client.post(f"/criteria/{upload.id}/retire").status_code == 403
    db.session.refresh(upload)
    assert upload.status is UploadStatus.draft
    assert audit_actions() == ["create"]


def test_province_official_may_not_activate_another_provinces_set(world):
    from registry.models import AdminUnit, UnitLevel

    db.session.add(AdminUnit(code="01", name="Hà Nội", kind="thành phố", level=UnitLevel.province))
    db.session.commit()
    national = draft(world)
    assert not services.may_activate(world.users["tinh"], services.parsed(national))
    with pytest.raises(OutOfScope):
        services.activate(world.users["tinh"], national)
    own = draft(world, version_text(3, scope="34"))
    services.activate(world.users["tinh"], own)
    assert own.status is UploadStatus.active


def test_unknown_scope_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        services.upload_set(world.users["admin"], "v2.toml", version_text(2, scope="99").encode())
    assert caught.value.field_errors["file"] == [
        "v2.toml: scope: không có đơn vị hành chính mã '99'"
    ]


# --- the cache across worker processes ------------------------------------------------------


def test_other_workers_notice_an_activation_through_the_generation(app, world):
    upload = draft(world)
    assert citizen_set(world).version == 1  # cached in this process
    # another worker activates it: only the database changes, this process's cache does not
    db.session.execute(
        CriteriaUpload.__table__.update()
        .where(CriteriaUpload.id == upload.id)
        .values(status=UploadStatus.active.value, activated_at=utcnow())
    )
    db.session.commit()
    with app.app_context():  # the next request
        assert citizen_set(world).version == 2
