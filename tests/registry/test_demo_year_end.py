"""The small demo's previous year is evaluated, approved and certified, with a believable mix."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from registry.awards.services import certificate_data, verify
from registry.extensions import db
from registry.models import Assessment, EvaluationResult, Recognition


def test_previous_year_is_evaluated_recognised_and_mixed(runner, app):
    result = runner.invoke(args=["seed-demo", "--size", "small"])
    assert result.exit_code == 0, result.output
    year = date.today().year - 1  # noqa: DTZ011 - the demo uses the server's today
    assert f"Year {year} evaluated" in result.output
    rows = db.session.execute(
        select(
            EvaluationResult.subject_type,
            func.count(),
            func.sum(EvaluationResult.passed.cast(db.Integer)),
        )
        .where(EvaluationResult.year == year)
        .group_by(EvaluationResult.subject_type)
    ).all()
    mix = {kind: (int(n), int(passed or 0)) for kind, n, passed in rows}
    for kind in ("citizen", "household", "clan", "organisation", "village", "commune"):
        evaluated, passed = mix[kind]
        assert 0 < passed < evaluated, (kind, mix[kind])  # some pass, some do not
    assert db.session.scalar(select(func.count()).select_from(Assessment)) > 1000
    recognitions = db.session.scalars(select(Recognition).where(Recognition.year == year)).all()
    passed_total = sum(p for kind, (_n, p) in mix.items())
    assert len(recognitions) == passed_total  # every passing subject was approved once
    sample = recognitions[0]
    assert verify(sample.serial).state == "valid"
    assert certificate_data(sample).verify_url.endswith(f"/verify/{sample.serial}")
