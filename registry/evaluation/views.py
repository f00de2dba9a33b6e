"""Evaluation pages: results of a unit, one subject's explanation, assessments, the run button."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from registry import jobs
from registry.auth.decorators import editor_required
from registry.auth.services import require_scope
from registry.errors import RegistryError
from registry.evaluation import jobs as _evaluation_jobs  # noqa: F401  (registers the job)
from registry.evaluation import summary
from registry.evaluation.assessments import attested_criteria, save_assessments
from registry.evaluation.explain import explain_subject
from registry.evaluation.services import evaluated_years
from registry.evaluation.subjects import KIND_LABELS, Subject, load_subject
from registry.extensions import db
from registry.units.services import get_by_code
from registry.web import today, year_of

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")


def _year() -> int:
    if (year := year_of(request.args.get("year"))) is not None:
        return year
    years = evaluated_years()
    return years[0] if years else today().year


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    code = request.args.get("unit", "")
    unit = get_by_code(code) if code else current_user.unit
    require_scope(current_user, unit, hide=False)
    year = _year()
    return render_template(
        "evaluation/index.html",
        unit=unit,
        year=year,
        years=sorted(set(evaluated_years()) | {today().year, today().year - 1}, reverse=True),
        counts=summary.unit_summary(unit, year),
        own=summary.own_result(unit.level.value, unit.id, year),
        children=summary.child_results(unit, year),
        labels=KIND_LABELS,
        form=FlaskForm(),
    )


@bp.route("/run", methods=("POST",))
@editor_required
def run() -> ResponseReturnValue:
    form = FlaskForm()
    year = year_of(request.form.get("year"))
    if not form.validate_on_submit() or year is None:
        flash(_("Năm đánh giá không hợp lệ."), "danger")
        return redirect(url_for("evaluation.index"))
    job = jobs.submit("evaluate", {"year": year}, actor=current_user, unit_id=current_user.unit_id)
    return redirect(url_for("main.job", job_id=job.id))


SUBJECT_PAGES = {
    "citizen": ("citizens.detail", "citizen_id"),
    "household": ("households.detail", "household_id"),
    "clan": ("clans.detail", "clan_id"),
    "organisation": ("organisations.detail", "organisation_id"),
}


def _subject_url(subject: Subject) -> str:
    """The subject's own page (an area unit's is its unit page)."""
    if subject.kind in SUBJECT_PAGES:
        endpoint, argument = SUBJECT_PAGES[subject.kind]
        values: dict[str, Any] = {argument: subject.id}
        return url_for(endpoint, **values)
    return url_for("units.detail", code=subject.unit.code)


@bp.route("/<kind>/<int:subject_id>")
@login_required
def detail(kind: str, subject_id: int) -> ResponseReturnValue:
    subject = load_subject(current_user, kind, subject_id)
    year = _year()
    explained = explain_subject(kind, subject_id, year, subject.unit, str(get_locale()))
    return render_template(
        "evaluation/detail.html",
        subject=subject,
        year=year,
        explained=explained,
        history=summary.subject_results(kind, subject_id),
        label=KIND_LABELS[kind],
        subject_url=_subject_url(subject),
    )


@bp.route("/<kind>/<int:subject_id>/assess", methods=("GET", "POST"))
@editor_required
def assess(kind: str, subject_id: int) -> ResponseReturnValue:
    subject = load_subject(current_user, kind, subject_id)
    year = _year()
    cset, inputs = attested_criteria(subject, year)
    if cset is None:
        abort(404)
    form = FlaskForm()
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            changed = save_assessments(current_user, subject, year, request.form)
        except RegistryError as error:
            db.session.rollback()
            errors = error.field_errors
            flash(_(error.message), "danger")
        else:
            db.session.commit()
            flash(_("Đã lưu %(n)s đánh giá.", n=changed), "success")
            return redirect(
                url_for("evaluation.detail", kind=kind, subject_id=subject_id, year=year)
            )
    return render_template(
        "evaluation/assess.html",
        subject=subject,
        year=year,
        cset=cset,
        inputs=inputs,
        form=form,
        errors=errors,
        values=request.form if request.method == "POST" else None,
        label=KIND_LABELS[kind],
    )
