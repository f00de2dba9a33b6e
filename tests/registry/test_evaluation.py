"""Set-based evaluation: stored results agree with the pure engine, roll-ups count right."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from registry.evaluation.explain import explain_subject
from registry.evaluation.services import evaluate_year, refresh
from registry.extensions import db
from registry.models import (
    Activity,
    ActivityCategory,
    Assessment,
    EvaluationResult,
    Household,
)
from registry.models.people import CitizenStatus

YEAR = 2025
CITIZEN_ATTESTED = (
    "ke-hoach-hoc-tap",
    "dong-vien-hoc-tap",
    "ngoai-ngu",
    "tinh-toan",
    "tu-duy-phan-bien",
    "quan-he-than-thien",
    "hop-tac-chia-se",
)


def _activity(citizen, code, hours, day=date(YEAR, 3, 1), title="Lớp học"):
    category = db.session.scalar(select(ActivityCategory).where(ActivityCategory.code == code))
    db.session.add(
        Activity(citizen=citizen, category=category, title=title, held_on=day, hours=hours)
    )


def _assess(kind, subject_id, criterion_id, score=None, yes=None, year=YEAR):
    db.session.add(
        Assessment(
            subject_type=kind,
            subject_id=subject_id,
            year=year,
            criterion_id=criterion_id,
            score=score,
            yes=yes,
            evidence="Biên bản họp",
        )
    )


def _result(kind, subject_id, year=YEAR):
    return db.session.scalar(
        select(EvaluationResult).where(
            EvaluationResult.year == year,
            EvaluationResult.subject_type == kind,
            EvaluationResult.subject_id == subject_id,
        )
    )


@pytest.fixture
def family(world, make_citizen):
    """Household H1 in village A1: An (passes), Bình (no activities), a child."""
    household = Household(code="H1", village=world.units["village_a1"])
    db.session.add(household)
    db.session.flush()
    an = make_citizen(
        "Nguyễn Văn An", birth_date=date(1980, 1, 1), household_id=household.id, relation="head"
    )
    binh = make_citizen(
        "Trần Thị Bình",
        gender="F",
        birth_date=date(1985, 6, 1),
        household_id=household.id,
        relation="spouse",
    )
    child = make_citizen(
        "Nguyễn Minh Châu", birth_date=date(2015, 9, 2), household_id=household.id, relation="child"
    )
    _activity(an, "self_study", 30)
    _activity(an, "tthtcd", 20)
    for month in (4, 5, 6):
        _activity(an, "online", 1, day=date(YEAR, month, 1))
    _activity(an, "tthtcd", 50, day=date(YEAR - 1, 12, 31))  # last year: does not count
    for cid in CITIZEN_ATTESTED:
        _assess("citizen", an.id, cid, score=8)
        _assess("citizen", binh.id, cid, score=10)
    db.session.commit()
    return household, an, binh, child


def test_citizen_results_match_the_engine(world, family):
    household, an, binh, child = family
    evaluate_year(YEAR)
    db.session.commit()
    stored_an = _result("citizen", an.id)
    assert stored_an.passed is True
    assert stored_an.total == pytest.approx(30 + 7 * 8)
    assert _result("citizen", child.id) is None  # under the set's min_age (15)
    stored_binh = _result("citizen", binh.id)
    assert stored_binh.passed is False
    assert stored_binh.total == pytest.approx(70)
    for citizen in (an, binh):
        explained = explain_subject("citizen", citizen.id, YEAR, citizen.village)
        stored = _result("citizen", citizen.id)
        assert explained.outcome.total == pytest.approx(stored.total)
        assert explained.outcome.passed == stored.passed
        points = [float(p) for p in stored.points.split(";")]
        assert points == pytest.approx([r.points for r in explained.outcome.results])


def test_explanation_is_vietnamese_and_says_what_is_missing(world, family):
    _household, _an, binh, _child = family
    evaluate_year(YEAR)
    explained = explain_subject("citizen", binh.id, YEAR, binh.village)
    text = "\n".join(explained.lines)
    assert "Chưa đạt" in text
    assert "giờ" in text


def test_household_rolls_up_adults_19_to_60(world, family):
    household, an, binh, child = family
    for cid, score in (("hoc-tap-tre-em", 30), ("dieu-kien-hoc-tap", 20), ("hieu-qua-hoc-tap", 20)):
        _assess("household", household.id, cid, score=score)
    db.session.commit()
    evaluate_year(YEAR)
    explained = explain_subject("household", household.id, YEAR, household.village)
    share = explained.outcome.result("hoc-tap-nguoi-lon").fact
    assert (share.numerator, share.denominator) == (1, 2)  # the child is not an adult
    assert _result("household", household.id).total == pytest.approx(30 + 10 + 20 + 20)
    assert _result("household", household.id).passed is True


def test_refresh_after_one_activity_updates_citizen_and_ancestors(world, family):
    household, an, binh, child = family
    evaluate_year(YEAR)
    db.session.commit()
    before = _result("household", household.id).total
    _activity(binh, "self_study", 40)
    _activity(binh, "tthtcd", 25)
    for month in (7, 8, 9):
        _activity(binh, "online", 2, day=date(YEAR, month, 1))
    db.session.flush()
    refresh(YEAR, {"citizen": {binh.id}})
    db.session.commit()
    assert _result("citizen", binh.id).passed is True
    assert _result("household", household.id).total == pytest.approx(before + 20)  # 2/2 adults
    village = _result("village", world.units["village_a1"].id)
    assert village is not None


def test_moved_citizen_is_in_no_denominator(world, family):
    household, an, binh, child = family
    binh.status, binh.left_on = CitizenStatus.moved, date(YEAR, 6, 30)
    db.session.commit()
    evaluate_year(YEAR)
    assert _result("citizen", binh.id) is None
    explained = explain_subject("household", household.id, YEAR, household.village)
    share = explained.outcome.result("hoc-tap-nguoi-lon").fact
    assert (share.numerator, share.denominator) == (1, 1)


def test_a_citizen_who_left_loses_the_result_of_an_earlier_run(world, family):
    """Results are replaced in place; those the new run did not write are deleted."""
    household, an, binh, child = family
    evaluate_year(YEAR)
    db.session.commit()
    assert _result("citizen", binh.id) is not None
    binh.status, binh.left_on = CitizenStatus.moved, date(YEAR, 6, 30)
    db.session.commit()
    evaluate_year(YEAR)
    db.session.commit()
    assert _result("citizen", binh.id) is None
    assert _result("citizen", an.id) is not None
    # and the same through a re-evaluation of that one citizen
    binh.status, binh.left_on = CitizenStatus.active, None
    db.session.commit()
    refresh(YEAR, {"citizen": {binh.id}})
    db.session.commit()
    assert _result("citizen", binh.id) is not None
    binh.status, binh.left_on = CitizenStatus.moved, date(YEAR, 6, 30)
    db.session.commit()
    refresh(YEAR, {"citizen": {binh.id}})
    db.session.commit()
    assert _result("citizen", binh.id) is None


def test_evaluation_is_idempotent(world, family):
    evaluate_year(YEAR)
    db.session.commit()
    first = db.session.execute(
        select(
            EvaluationResult.subject_type, EvaluationResult.subject_id, EvaluationResult.total
        ).order_by(EvaluationResult.subject_type, EvaluationResult.subject_id)
    ).all()
    evaluate_year(YEAR)
    db.session.commit()
    second = db.session.execute(
        select(
            EvaluationResult.subject_type, EvaluationResult.subject_id, EvaluationResult.total
        ).order_by(EvaluationResult.subject_type, EvaluationResult.subject_id)
    ).all()
    assert first == second
    assert {row[0] for row in first} >= {
        "citizen",
        "household",
        "village",
        "commune",
        "district",
        "province",
    }


def test_empty_household_does_not_pass(world):
    household = Household(code="H9", village=world.units["village_a2"])
    db.session.add(household)
    db.session.commit()
    evaluate_year(YEAR)
    explained = explain_subject("household", household.id, YEAR, household.village)
    assert explained.outcome.passed is False
    assert _result("household", household.id).passed is False
    assert any("không có" in line.lower() for line in explained.lines)
