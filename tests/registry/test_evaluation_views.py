"""Evaluation pages, the run button (a background job), assessments and the CLI."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Assessment, AuditEntry, EvaluationResult, Job

YEAR = 2025


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JOBS_SYNCHRONOUS": True}


def test_run_button_evaluates_in_a_job(login, make_citizen, world):
    make_citizen("Nguyễn Văn An")
    client = login("xa_a")
    response = client.post("/evaluation/run", data={"year": str(YEAR)})
    assert response.status_code == 302
    job = db.session.scalar(select(Job))
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    assert job.status == "done"
    assert "công dân: 1 đánh giá" in job.message
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Hoàn thành" in page
    assert db.session.scalar(
        select(func.count()).select_from(EvaluationResult).where(EvaluationResult.year == YEAR)
    )
    # another commune's staff cannot see the job
    assert login("xa_b").get(f"/jobs/{job.id}").status_code == 404


def test_viewer_cannot_run(login):
    assert login("xem_a").post("/evaluation/run", data={"year": "2025"}).status_code == 403


def test_bad_year_is_refused(login):
    client = login("xa_a")
    response = client.post("/evaluation/run", data={"year": "abc"}, follow_redirects=True)
    assert "Năm đánh giá không hợp lệ" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_assessment_form_saves_validates_and_audits(login, make_citizen):
    citizen = make_citizen("Lê Thị Lan", gender="F")
    client = login("xa_a")
    url = f"/evaluation/citizen/{citizen.id}/assess?year={YEAR}"
    page = client.get(url).get_data(as_text=True)
    assert "Có kế hoạch học tập" in page or "kế hoạch" in page.lower()
    bad = client.post(url, data={"ke-hoach-hoc-tap": "12"})
    assert "Điểm phải từ 0 đến 10" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0
    ok = client.post(
        url, data={"ke-hoach-hoc-tap": "8,5", "ke-hoach-hoc-tap:evidence": "Bản kế hoạch"}
    )
    assert ok.status_code == 302
    row = db.session.scalar(select(Assessment))
    assert (row.score, row.evidence, row.year) == (8.5, "Bản kế hoạch", YEAR)
    assert db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.object_type == "Assessment")
    )


def test_other_commune_cannot_assess_or_read(login, make_citizen):
    citizen = make_citizen()
    client = login("xa_b")
    assert client.get(f"/evaluation/citizen/{citizen.id}?year={YEAR}").status_code == 404
    assert client.post(f"/evaluation/citizen/{citizen.id}/assess?year={YEAR}").status_code == 404


def test_detail_explains_in_vietnamese(login, make_citizen):
    citizen = make_citizen("Phạm Văn Đức", birth_date=date(1970, 2, 2))
    page = login("xa_a").get(f"/evaluation/citizen/{citizen.id}?year={YEAR}").get_data(as_text=True)
    assert "Công dân học tập" in page
    assert "Chưa đạt" in page
    assert "Còn thiếu" in page or "còn thiếu" in page


def test_unit_results_page(login, make_citizen, runner):
    make_citizen("Nguyễn Văn An")
    result = runner.invoke(args=["evaluate", "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    assert "công dân" in result.output
    page = login("huyen").get(f"/evaluation/?unit=344&year={YEAR}").get_data(as_text=True)
    assert "Xã Tân Hòa" in page
    assert "Tổng hợp theo danh hiệu" in page


def test_evaluate_cli_rejects_unknown_unit(runner, world):
    result = runner.invoke(args=["evaluate", "--year", "2025", "--unit", "999"])
    assert result.exit_code != 0
    assert "999" in result.output


def test_criteria_check_cli(runner, tmp_path, app):
    ok = runner.invoke(args=["criteria-check"])
    assert ok.exit_code == 0, ok.output
    assert "cong-dan-hoc-tap-v1" in ok.output
    broken = tmp_path / "broken-v1.toml"
    broken.write_text('id = "broken"\nversion = 1\nsubject = "citizen"\n', encoding="utf-8")
    bad = runner.invoke(args=["criteria-check", str(broken)])
    assert bad.exit_code != 0
    assert "broken-v1.toml" in bad.output
