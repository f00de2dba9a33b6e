"""Dashboard figures against hand-computed data, targets per year, drill-down order, the yearly
report as .xlsx and PDF, the ``report`` command, and who may see what."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from registry.awards import services as awards
from registry.evaluation.services import evaluate_year
from registry.evaluation.summary import unit_summary
from registry.extensions import db
from registry.models import (
    Activity,
    ActivityCategory,
    AdminUnit,
    Assessment,
    EvaluationResult,
    Household,
    Organisation,
    OrganisationMember,
    Recognition,
    UnitLevel,
)
from registry.models.people import CitizenStatus
from registry.reports.charts import Bar, bar_chart
from registry.reports.documents import report_pdf, yearly_report
from registry.reports.services import applicable_plans, milestone, progress, target_plans
from registry.reports.workbook import report_xlsx, sheet_title

YEAR = 2025
TODAY = date(2025, 11, 20)
CITIZEN_ATTESTED = (
    "ke-hoach-hoc-tap",
    "dong-vien-hoc-tap",
    "ngoai-ngu",
    "tinh-toan",
    "tu-duy-phan-bien",
    "quan-he-than-thien",
    "hop-tac-chia-se",
)
DECISION = {
    "number": "12/QĐ-UBND",
    "decided_on": "15/12/2025",
    "issuer_name": "Ủy ban nhân dân xã Tân Hòa",
    "issuer_short": "ỦY BAN NHÂN DÂN\nXÃ TÂN HÒA",
    "place_name": "Tân Hòa",
    "signer_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
    "signer_name": "Trần Đức Mỹ",
}


def _assess(kind, subject_id, criterion_id, score=None, yes=None):
    db.session.add(
        Assessment(
            subject_type=kind,
            subject_id=subject_id,
            year=YEAR,
            criterion_id=criterion_id,
            score=score,
            yes=yes,
            evidence="Biên bản họp",
        )
    )


def _learns(citizen, categories):
    """Enough activities and assessments of 2025 for "Công dân học tập" (93 points)."""
    for code, hours in (("self_study", 40), ("tthtcd", 30)):
        db.session.add(
            Activity(
                citizen=citizen,
                category=categories[code],
                title="Học",
                held_on=date(YEAR, 5, 1),
                hours=hours,
            )
        )
    for month in (2, 3, 4):
        db.session.add(
            Activity(
                citizen=citizen,
                category=categories["online"],
                title="Khóa học trực tuyến",
                held_on=date(YEAR, month, 1),
                hours=2,
            )
        )
    for criterion in CITIZEN_ATTESTED:
        _assess("citizen", citizen.id, criterion, score=9)


def _household_attested(household, children_points):
    _assess("household", household.id, "hoc-tap-tre-em", score=children_points)
    _assess("household", household.id, "dieu-kien-hoc-tap", score=20)
    _assess("household", household.id, "hieu-qua-hoc-tap", score=20)


@pytest.fixture
def town(world, make_citizen):
    """The hand-computed world (2025), district 344:

    commune A (12865): village A1: household H1 = An (passes), Bình (fails), Châu (a child);
    village A2: household H2 = Cường and Dung (both pass), Hà (moved away in June).
    commune B (12868): village B1: household H3 = Em (fails), Giang (70 years old, nothing).
    Adults (15+): 6, of whom 3 pass (A: 4 and 3, B: 2 and 0). Households: H2 passes only (H1 has
    70 points, H3 70). Public staff: An and Bình at the commune A People's Committee (Cường is a
    learner there, Em works for an enterprise): 2, of whom 1 passes. Recognised: An and Cường,
    and household H2.
    """
    categories = {c.code: c for c in db.session.scalars(select(ActivityCategory))}
    units = world.units
    homes = {}
    for code, village in (("H1", "village_a1"), ("H2", "village_a2"), ("H3", "village_b1")):
        homes[code] = Household(code=code, village=units[village])
        db.session.add(homes[code])
    db.session.flush()

    def person(name, village, home, relation, born, gender="M"):
        return make_citizen(
            name,
            village=village,
            household_id=homes[home].id,
            relation=relation,
            birth_date=born,
            gender=gender,
        )

    people = {
        "an": person("Nguyễn Văn An", "village_a1", "H1", "head", date(1980, 1, 1)),
        "binh": person("Trần Thị Bình", "village_a1", "H1", "spouse", date(1985, 6, 1), "F"),
        "chau": person("Nguyễn Minh Châu", "village_a1", "H1", "child", date(2015, 9, 2)),
        "cuong": person("Lê Văn Cường", "village_a2", "H2", "head", date(1978, 3, 3)),
        "dung": person("Phạm Thị Dung", "village_a2", "H2", "spouse", date(1982, 4, 4), "F"),
        "ha": person("Lê Thu Hà", "village_a2", "H2", "child", date(2000, 7, 7), "F"),
        "em": person("Đỗ Văn Em", "village_b1", "H3", "head", date(1975, 5, 5)),
        "giang": person("Vũ Thị Giang", "village_b1", "H3", "parent", date(1955, 2, 2), "F"),
    }
    people["ha"].status, people["ha"].left_on = CitizenStatus.moved, date(YEAR, 6, 1)
    for key in ("an", "cuong", "dung"):
        _learns(people[key], categories)
    for criterion in CITIZEN_ATTESTED:
        _assess("citizen", people["binh"].id, criterion, score=10)
        _assess("citizen", people["em"].id, criterion, score=10)
    _household_attested(homes["H1"], 20)
    _household_attested(homes["H2"], 30)
    _household_attested(homes["H3"], 30)
    agency = Organisation(
        code="ORG1", name="Ủy ban nhân dân xã Tân Hòa", kind="agency", unit=units["commune_a"]
    )
    company = Organisation(
        code="ORG2", name="Công ty May Song An", kind="enterprise", unit=units["commune_b"]
    )
    db.session.add_all([agency, company])
    db.session.flush()
    for organisation, key, role in (
        (agency, "an", "staff"),
        (agency, "binh", "staff"),
        (agency, "cuong", "learner"),
        (company, "em", "staff"),
    ):
        db.session.add(
            OrganisationMember(
                organisation_id=organisation.id, citizen_id=people[key].id, role=role
            )
        )
    db.session.commit()
    evaluate_year(YEAR)
    db.session.commit()
    _approve(world, "citizen", [people["an"].id, people["cuong"].id], "12/QĐ-UBND")
    _approve(world, "household", [homes["H2"].id], "13/QĐ-UBND")
    db.session.commit()
    return people, homes


def _approve(world, kind, subject_ids, number):
    results = db.session.scalars(
        select(EvaluationResult.id).where(
            EvaluationResult.year == YEAR,
            EvaluationResult.subject_type == kind,
            EvaluationResult.subject_id.in_(subject_ids),
        )
    ).all()
    decision = awards.parse_decision({**DECISION, "number": number}, today=date(2026, 1, 10))
    awards.approve(
        world.users["xa_a"],
        YEAR,
        kind,
        results,
        decision,
        public_base_url="https://khuyenhoc.example.vn",
    )


def _figure(p, plan_id, indicator_id):
    return next(f for f in p.indicators if f.key == f"{plan_id}:{indicator_id}")


def _title(p, set_id):
    return next(f for f in p.titles if f.set_id == set_id)


def _tuple(tally):
    return (tally.population, tally.evaluated, tally.passed, tally.recognised)


# --- figures --------------------------------------------------------------------------------------


def test_district_figures_match_the_hand_computed_town(world, town):
    p = progress(None, world.units["district"], YEAR, today=TODAY)
    assert _tuple(_title(p, "cong-dan-hoc-tap").tally) == (6, 6, 3, 2)
    assert _tuple(_title(p, "gia-dinh-hoc-tap").tally) == (3, 3, 1, 1)
    assert _tuple(_title(p, "don-vi-hoc-tap").tally) == (2, 2, 0, 0)
    assert "dong-ho-hoc-tap" not in {f.set_id for f in p.titles}  # no clan: nothing to show
    adults = _figure(p, "national", "cong-dan-hoc-tap")
    assert adults.share == pytest.approx(0.5)
    assert adults.tally.recognised_share == pytest.approx(2 / 6)
    assert adults.target == 0.4
    assert adults.gap == pytest.approx(0.1)
    assert _figure(p, "thai-binh-2021-2030", "cong-dan-hoc-tap").gap == pytest.approx(-0.2)
    staff = _figure(p, "national", "cong-dan-hoc-tap-can-bo")
    assert _tuple(staff.tally) == (2, 2, 1, 1)
    households = _figure(p, "national", "gia-dinh-hoc-tap")
    assert households.share == pytest.approx(1 / 3)
    assert households.gap == pytest.approx(1 / 3 - 0.7)


def test_passed_counts_equal_the_stored_evaluation_results(world, town):
    for key in ("province", "district", "commune_a", "commune_b", "village_a2"):
        unit = world.units[key]
        p = progress(None, unit, YEAR, today=TODAY)
        stored = {c.set_id: (c.evaluated, c.passed) for c in unit_summary(unit, YEAR)}
        for figure in p.titles:
            if figure.measure.subject in ("village", "commune", "district", "province"):
                continue  # area titles count the units below, unit_summary the unit itself too
            assert (figure.tally.evaluated, figure.tally.passed) == stored[figure.set_id], key


def test_area_titles_count_the_units_below_not_the_unit_itself(world, town):
    district = progress(None, world.units["district"], YEAR, today=TODAY)
    villages = _title(district, "cong-dong-hoc-tap-thon").tally
    passed_villages = db.session.scalars(
        select(EvaluationResult).where(
            EvaluationResult.year == YEAR,
            EvaluationResult.subject_type == "village",
            EvaluationResult.passed.is_(True),
        )
    ).all()
    assert (villages.population, villages.passed) == (3, len(passed_villages))
    assert _title(district, "cong-dong-hoc-tap-xa").tally.population == 2
    assert "huyen-hoc-tap" not in {f.set_id for f in district.titles}
    assert district.own is not None
    assert district.own.subject_type == "district"
    province = progress(None, world.units["province"], YEAR, today=TODAY)
    assert _figure(province, "thai-binh-2021-2030", "huyen-hoc-tap").tally.population == 1


def test_share_of_criteria_met_by_the_province(world, town):
    import criteria
    from registry.evaluation.sets import all_sets, find_set

    p = progress(None, world.units["province"], YEAR, today=TODAY)
    figure = _figure(p, "thai-binh-2021-2030", "tinh-hoc-tap")
    result = db.session.scalar(
        select(EvaluationResult).where(
            EvaluationResult.subject_type == "province", EvaluationResult.year == YEAR
        )
    )
    cset = find_set(all_sets(), result.set_id, result.set_version)
    points = [float(x) for x in result.points.split(";")]
    met = sum(
        criteria.is_passed(x, c, cset.pass_rule.min_each)
        for x, c in zip(points, cset.criteria, strict=True)
    )
    assert (figure.tally.population, figure.tally.passed) == (len(cset.criteria), met)
    assert figure.tally.recognised is None


def test_children_sum_to_the_unit_and_sort_by_gap(world, town):
    district = world.units["district"]
    p = progress(None, district, YEAR, today=TODAY)
    assert p.sort_by.key == "thai-binh-2021-2030:cong-dan-hoc-tap"
    assert [r.unit.code for r in p.children] == ["12868", "12865"]  # B: 0 % is further behind
    adults = p.sort_by.measure
    by_code = {r.unit.code: r for r in p.children}
    assert _tuple(by_code["12865"].tallies[adults]) == (4, 4, 3, 2)
    assert _tuple(by_code["12868"].tallies[adults]) == (2, 2, 0, 0)
    assert by_code["12868"].gap(p.sort_by) == pytest.approx(-0.7)
    staff = progress(None, district, YEAR, today=TODAY, sort_key="national:cong-dan-hoc-tap-can-bo")
    # A is 10 points behind 60 %; B has no public staff at all and comes last
    assert [r.unit.code for r in staff.children] == ["12865", "12868"]
    assert staff.children[1].share(staff.sort_by.measure) is None
    commune = progress(None, world.units["commune_a"], YEAR, today=TODAY)
    assert [(r.unit.code, r.share(commune.sort_by.measure)) for r in commune.children] == [
        ("1286501", 0.5),
        ("1286502", 1.0),
    ]


def test_revoked_recognitions_do_not_count(world, town):
    people, _homes = town
    recognition = db.session.scalar(
        select(Recognition).where(Recognition.subject_id == people["cuong"].id)
    )
    awards.revoke(world.users["xa_a"], recognition, "Hồ sơ không đúng")
    db.session.commit()
    p = progress(None, world.units["district"], YEAR, today=TODAY)
    assert _title(p, "cong-dan-hoc-tap").tally.recognised == 1


# --- targets, trend, deadlines --------------------------------------------------------------------


def test_target_is_the_next_milestone_at_or_after_the_year():
    national = next(p for p in target_plans() if p.id == "national")
    adults = national.indicator("cong-dan-hoc-tap")
    assert milestone(adults, 2023) == (2025, 0.4)
    assert milestone(adults, 2025) == (2025, 0.4)
    assert milestone(adults, 2026) == (2030, 0.7)
    assert milestone(adults, 2030) == (2030, 0.7)
    assert milestone(adults, 2031) is None
    assert milestone(national.indicator("gia-dinh-hoc-tap"), 2026) is None


def test_plans_apply_by_scope(world):
    assert [p.id for p in applicable_plans(world.units["commune_a"])] == [
        "thai-binh-2021-2030",
        "national",
    ]
    elsewhere = AdminUnit(code="01", name="Hà Nội", kind="thành phố", level=UnitLevel.province)
    db.session.add(elsewhere)
    db.session.flush()
    assert [p.id for p in applicable_plans(elsewhere)] == ["national"]


def test_figures_of_2024_use_the_2025_targets_and_the_trend_covers_both_years(world, town):
    evaluate_year(YEAR - 1)
    db.session.commit()
    early = progress(None, world.units["district"], YEAR - 1, today=TODAY)
    adults = _figure(early, "national", "cong-dan-hoc-tap")
    assert (adults.target_year, adults.target) == (2025, 0.4)
    assert adults.tally.passed == 0
    p = progress(None, world.units["district"], YEAR, today=TODAY)
    assert p.trend.years == [2024, 2025]
    series = dict(p.trend.series)
    assert series["Công dân học tập"] == [0.0, 0.5]
    assert series["Gia đình học tập"] == [0.0, pytest.approx(1 / 3)]


def test_deadlines_count_the_days_left(world):
    p = progress(None, world.units["district"], YEAR, today=TODAY)
    assert [(d.due, d.days_left, d.applies) for d in p.deadlines] == [
        (date(2025, 12, 1), 11, True),
        (date(2025, 12, 20), 30, False),
    ]
    late = progress(None, world.units["province"], YEAR, today=date(2025, 12, 21))
    assert [(d.days_left, d.applies) for d in late.deadlines] == [(-20, False), (-1, True)]


# --- charts ---------------------------------------------------------------------------------------


def test_charts_escape_text_and_use_no_style_attribute():
    svg = str(bar_chart([("Kế hoạch <b>", [Bar("A & <script>", 0.5, 0.2, 0.7, 2025)])], "x"))
    assert "<script>" not in svg
    assert "A &amp; &lt;script&gt;" in svg
    assert "style=" not in svg
    assert 'fill="#b42318"' in svg  # behind the target: the value is red


# --- the yearly report ----------------------------------------------------------------------------


def test_xlsx_has_the_summary_and_one_sheet_per_title(world, town):
    report = yearly_report(None, world.units["district"], YEAR, today=TODAY)
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    assert book.sheetnames == ["Tổng hợp", "Công dân học tập", "Gia đình học tập"]
    summary = book["Tổng hợp"]
    assert summary["A1"].value == "BÁO CÁO KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2025"
    assert (summary["A2"].value, summary["B2"].value) == ("Đơn vị", "Huyện Vũ Thư")
    assert summary["B4"].value.date() == TODAY
    assert summary["B4"].number_format == "dd/mm/yyyy"
    rows = {row[0].value: row for row in summary.iter_rows() if row[0].value}
    deadline = rows["Huyện, xã báo cáo Sở Giáo dục và Đào tạo"]
    assert deadline[1].value.date() == date(2025, 12, 1)
    assert deadline[2].value == 11
    citizens = rows["Công dân học tập"]
    assert [c.value for c in citizens[2:5]] == [6, 6, 3]
    assert citizens[5].value == pytest.approx(0.5)
    assert citizens[5].number_format == "0.0%"
    adults = rows["Tỷ lệ người lớn đạt Công dân học tập"]
    assert adults[7].value == pytest.approx(0.4)
    assert adults[8].value == 2025
    assert adults[9].value == pytest.approx(0.1)
    children = [r for r in summary.iter_rows(values_only=True) if r[0] in ("12865", "12868")]
    assert [(r[0], r[1]) for r in children] == [("12868", "Xã Song An"), ("12865", "Xã Tân Hòa")]
    listed = list(book["Công dân học tập"].iter_rows(values_only=True))
    assert listed[0][:4] == ("STT", "Số giấy công nhận", "Họ và tên / Đơn vị", "Địa chỉ")
    assert sorted(r[2] for r in listed[1:]) == ["Lê Văn Cường", "Nguyễn Văn An"]
    assert listed[1][4] == "12/QĐ-UBND"
    assert listed[1][5].date() == date(2025, 12, 15)
    assert book["Công dân học tập"]["F2"].number_format == "dd/mm/yyyy"


def test_sheet_titles_are_valid_and_unique():
    used = {"Tổng hợp"}
    assert sheet_title("Tổng hợp", used) == "Tổng hợp (2)"
    long = sheet_title("Cộng đồng học tập cấp xã: mức độ 1/2/3 [thử]", used)
    assert len(long) <= 31
    assert not set("[]:*?/\\") & set(long)


def test_pdf_text_keeps_vietnamese_diacritics(world, town, tmp_path):
    report = yearly_report(None, world.units["district"], YEAR, today=TODAY)
    path = tmp_path / "report.pdf"
    path.write_bytes(report_pdf(report))
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for expected in (
        "BÁO CÁO KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP",
        "Huyện Vũ Thư",
        "còn 11 ngày",
        "Xã Song An",
        "Nguyễn Văn An",
        "Lê Văn Cường",
        "Gia đình học tập",
        "50,0%",
    ):
        assert expected in text, expected


# --- command line ---------------------------------------------------------------------------------


def test_report_command_writes_xlsx(world, town, runner, tmp_path):
    out = tmp_path / "bao-cao.xlsx"
    result = runner.invoke(
        args=["report", "--year", "2025", "--unit", "344", "--format", "xlsx", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Huyện Vũ Thư" in result.output
    assert load_workbook(out)["Tổng hợp"]["B2"].value == "Huyện Vũ Thư"


def test_report_command_refuses_an_unknown_unit(world, runner, tmp_path):
    out = tmp_path / "x.pdf"
    result = runner.invoke(
        args=["report", "--year", "2025", "--unit", "999", "--format", "pdf", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "Không có đơn vị hành chính mã 999" in result.output
    assert not out.exists()


def test_report_command_refuses_a_bad_format(world, runner, tmp_path):
    result = runner.invoke(
        args=["report", "--year", "2025", "--unit", "344", "--format", "docx", "--out", "x"]
    )
    assert result.exit_code == 2
    assert "--format" in result.output
    assert "docx" in result.output


# --- pages and access -----------------------------------------------------------------------------


def test_dashboard_shows_figures_and_svg_without_inline_styles(town, login):
    client = login("huyen")
    response = client.get("/reports/?unit=344&year=2025")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<svg" in html
    assert "50,0%" in html
    assert "Xã Song An" in html
    assert " style=" not in html
    assert "<script" not in html
    assert html.index("Xã Song An") < html.index("Xã Tân Hòa")  # drill-down by gap


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("xa_a", "/reports/?unit=12865&year=2025", 200),
        ("xa_a", "/reports/", 200),
        ("xa_a", "/reports/?unit=12868&year=2025", 403),
        ("xa_a", "/reports/?unit=344&year=2025", 403),
        ("xa_a", "/reports/yearly.xlsx?unit=12868&year=2025", 403),
        ("xa_a", "/reports/yearly.pdf?unit=12868&year=2025", 403),
        ("xem_a", "/reports/?unit=12865&year=2025", 200),
        ("xem_a", "/reports/yearly.xlsx?unit=12865&year=2025", 200),
        ("huyen", "/reports/?unit=12868&year=2025", 200),
        ("huyen", "/reports/?unit=nope", 404),
    ],
)
def test_access(world, login, user, url, status):
    assert login(user).get(url).status_code == status


def test_anonymous_visitors_are_sent_to_login(world, client):
    response = client.get("/reports/?unit=344")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_downloads_are_named_and_typed(town, login):
    client = login("xa_a")
    xlsx = client.get("/reports/yearly.xlsx?unit=12865&year=2025")
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert "bao-cao-nam-2025-xa-tan-hoa-12865.xlsx" in xlsx.headers["Content-Disposition"]
    pdf = client.get("/reports/yearly.pdf?unit=12865&year=2025")
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
