"""Recognition pages: proposals, approval under a decision, the register, certificates, revocation.

Approval takes three requests on purpose: the proposal list (select), a confirmation page that
counts what will be created, and the final POST with the decision — nothing is issued by
accident, and a bulk approval always shows its size first.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

import certificates
from registry import jobs, vn
from registry.auth.decorators import editor_required
from registry.auth.services import in_scope, require_scope
from registry.awards import jobs as _awards_jobs  # noqa: F401  (registers the print job)
from registry.awards import services
from registry.awards.forms import DecisionForm, RevokeForm
from registry.awards.names import recipients
from registry.evaluation.services import evaluated_years
from registry.evaluation.subjects import KIND_LABELS
from registry.extensions import db
from registry.models import AdminUnit, Decision, Recognition
from registry.people_input import record_id
from registry.units.services import children, get_by_code
from registry.web import form_data, paginate, submit_form, today, year_of

bp = Blueprint("awards", __name__, url_prefix="/awards")

AREA_KINDS = ("village", "commune", "district", "province")  # subjects that are units themselves
DECISION_FIELDS = (
    "number",
    "decided_on",
    "issuer_name",
    "issuer_short",
    "place_name",
    "signer_title",
    "signer_name",
)


# --- request arguments ----------------------------------------------------------------------------


def _valid_year(raw: str | None) -> int | None:
    return year_of(raw)


def _year() -> int:
    """``year`` of the query or form, else the latest evaluated year."""
    if (year := _valid_year(request.values.get("year"))) is not None:
        return year
    years = evaluated_years()
    return years[0] if years else today().year


def _years() -> list[int]:
    return sorted(set(evaluated_years()) | {today().year, today().year - 1}, reverse=True)


def _kind_filter() -> str:
    """``kind`` of the query or form: a subject kind, or "" for every kind (404 if unknown)."""
    kind = request.values.get("kind", "").strip()
    if kind and kind not in KIND_LABELS:
        abort(404)
    return kind


def _kind() -> str:
    """The subject kind being proposed or approved (citizens by default)."""
    return _kind_filter() or "citizen"


def _unit() -> AdminUnit | None:
    """The ``unit`` filter (a code), which must lie in the user's scope (403 otherwise)."""
    code = request.values.get("unit", "").strip()
    if not code:
        return None
    unit = get_by_code(code)
    require_scope(current_user, unit, hide=False)
    return unit


def _unit_choices(selected: AdminUnit | None) -> list[AdminUnit]:
    """The user's unit and its children, for the filters (plus the selected one)."""
    choices = [current_user.unit, *children(current_user.unit, today())]
    if selected is not None and selected not in choices:
        choices.append(selected)
    return choices


def _selection_ids(selection: str) -> list[int] | None:
    """``"all"`` → None (every proposal); otherwise the ids in "1,2,3"."""
    if selection == "all":
        return None
    return [n for part in selection.split(",") if (n := record_id(part)) is not None][:10_000]


def _snapshots(rows: Any) -> list[tuple[Recognition, dict[str, Any]]]:
    return [(r, json.loads(r.snapshot)) for r in rows]


def _pdf(data: bytes, filename: str) -> ResponseReturnValue:
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=filename)


# --- proposals and approval -----------------------------------------------------------------------


@bp.route("/proposals")
@login_required
def proposals() -> ResponseReturnValue:
    year, kind, unit = _year(), _kind(), _unit()
    page = paginate(services.proposals_query(current_user, year, kind, unit))
    results = list(page.items)
    names = recipients(kind, [r.subject_id for r in results])
    units = {
        u.id: u
        for u in db.session.scalars(
            select(AdminUnit).where(AdminUnit.id.in_({r.unit_id for r in results}))
        )
    }
    return render_template(
        "awards/proposals.html",
        page=page,
        rows=[(r, names.get(r.subject_id), units.get(r.unit_id)) for r in results],
        year=year,
        years=_years(),
        kind=kind,
        unit=unit,
        units=_unit_choices(unit),
        labels=KIND_LABELS,
        area_kinds=AREA_KINDS,
    )


def _issuing_unit(plan: services.ApprovalPreview) -> AdminUnit:
    """The unit that will issue the decision, else (nothing or several) the user's own."""
    return next(iter(plan.issuers)) if len(plan.issuers) == 1 else current_user.unit


def _fill_defaults(form: DecisionForm, unit: AdminUnit) -> None:
    """Pre-fill from the unit's last decision (same chairman), else from the unit's name."""
    form.fill_defaults(unit, vn.format_date_vn(today()))
    last = services.last_decision(unit)
    if last is not None:
        for name in ("issuer_name", "issuer_short", "place_name", "signer_title", "signer_name"):
            getattr(form, name).data = getattr(last, name)


def _plan(
    form: DecisionForm, year: int, kind: str, unit: AdminUnit | None
) -> services.ApprovalPreview:
    """What the form's selection would create now (re-counted on every request)."""
    ids = _selection_ids(form.selection.data or "")
    return services.preview(current_user, year, kind, ids, unit)


def _confirmation(
    form: DecisionForm, plan: services.ApprovalPreview, year: int, kind: str, unit: AdminUnit | None
) -> str:
    return render_template(
        "awards/approve.html",
        form=form,
        plan=plan,
        year=year,
        kind=kind,
        unit=unit,
        label=KIND_LABELS[kind],
        everything=form.selection.data == "all",
    )


@bp.route("/approve", methods=("POST",))
@editor_required
def approve() -> ResponseReturnValue:
    year, kind, unit = _year(), _kind(), _unit()
    if request.form.get("action") == "all":
        selection = "all"
    else:
        selection = ",".join(i for i in request.form.getlist("ids") if record_id(i) is not None)
    if not selection:
        flash(_("Chưa chọn đối tượng nào. Hãy đánh dấu ít nhất một dòng."), "warning")
        return redirect(
            url_for("awards.proposals", year=year, kind=kind, unit=unit.code if unit else None)
        )
    form = DecisionForm(
        formdata=None, year=year, kind=kind, unit=unit.code if unit else "", selection=selection
    )
    plan = _plan(form, year, kind, unit)
    _fill_defaults(form, _issuing_unit(plan))
    return _confirmation(form, plan, year, kind, unit)


def _decide(form: DecisionForm, year: int, kind: str, unit: AdminUnit | None) -> Decision:
    """Validate the decision, then approve what the confirmation page counted."""
    data = {name: value for name, value in form_data(form).items() if name in DECISION_FIELDS}
    particulars = services.parse_decision(data, today=today())
    plan = _plan(form, year, kind, unit)
    return services.approve(
        current_user,
        year,
        kind,
        plan.result_ids,
        particulars,
        public_base_url=current_app.config["PUBLIC_BASE_URL"],
    )


@bp.route("/approve/confirm", methods=("POST",))
@editor_required
def approve_confirm() -> ResponseReturnValue:
    year, kind, unit = _year(), _kind(), _unit()
    form = DecisionForm()
    decision = submit_form(form, lambda: _decide(form, year, kind, unit))
    if decision is not None:
        flash(
            _(
                "Đã công nhận %(n)s đối tượng theo Quyết định số %(number)s.",
                n=len(decision.recognitions),
                number=decision.number,
            ),
            "success",
        )
        return redirect(url_for("awards.decision", decision_id=decision.id))
    return _confirmation(form, _plan(form, year, kind, unit), year, kind, unit)


# --- the register ---------------------------------------------------------------------------------


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    year = _valid_year(request.args.get("year"))
    kind, unit = _kind_filter(), _unit()
    q = request.args.get("q", "")[:100]
    page = paginate(services.recognitions_query(current_user, year, unit, kind or None, q))
    return render_template(
        "awards/index.html",
        page=page,
        rows=_snapshots(page.items),
        year=year,
        years=_years(),
        kind=kind,
        unit=unit,
        units=_unit_choices(unit),
        q=q,
        labels=KIND_LABELS,
        print_year=year or _year(),
    )


@bp.route("/print", methods=("POST",))
@editor_required
def print_batch() -> ResponseReturnValue:
    year = _valid_year(request.form.get("year"))
    unit = _unit() or current_user.unit
    back = url_for("awards.index", year=year, unit=unit.code)
    if year is None:
        flash(_("Năm không hợp lệ."), "danger")
        return redirect(back)
    issued = services.recognitions_query(current_user, year, unit).where(
        Recognition.revoked_at.is_(None)
    )
    if db.session.scalar(issued.limit(1)) is None:
        flash(
            _(
                "%(unit)s không có giấy công nhận nào còn hiệu lực năm %(year)s.",
                unit=unit.display_name,
                year=year,
            ),
            "warning",
        )
        return redirect(back)
    job = jobs.submit(
        "certificates", {"unit_id": unit.id, "year": year}, actor=current_user, unit_id=unit.id
    )
    return redirect(url_for("main.job", job_id=job.id))


@bp.route("/<int:recognition_id>")
@login_required
def detail(recognition_id: int) -> ResponseReturnValue:
    recognition = services.get_recognition(current_user, recognition_id)
    return render_template(
        "awards/detail.html",
        r=recognition,
        cert=services.certificate_data(recognition),
        label=KIND_LABELS.get(recognition.subject_type, recognition.subject_type),
        can_revoke=recognition.revoked_at is None
        and services.can_approve(current_user, recognition.subject_type, recognition.unit),
        decision_visible=in_scope(current_user, recognition.decision.unit),
    )


@bp.route("/<int:recognition_id>/certificate.pdf")
@login_required
def certificate_pdf(recognition_id: int) -> ResponseReturnValue:
    recognition = services.get_recognition(current_user, recognition_id)
    pdf = services.certificate_pdf(current_user, recognition)
    db.session.commit()  # the print is audited (and the first print's hash kept)
    return _pdf(pdf, f"{recognition.serial}.pdf")


@bp.route("/<int:recognition_id>/revoke", methods=("GET", "POST"))
@editor_required
def revoke(recognition_id: int) -> ResponseReturnValue:
    recognition = services.get_recognition(current_user, recognition_id)
    if not services.can_approve(current_user, recognition.subject_type, recognition.unit):
        abort(403)
    if recognition.revoked_at is not None:
        flash(_("Công nhận này đã bị thu hồi trước đó."), "info")
        return redirect(url_for("awards.detail", recognition_id=recognition.id))
    form = RevokeForm()
    if (
        submit_form(
            form, lambda: services.revoke(current_user, recognition, form.reason.data or "")
        )
        is not None
    ):
        flash(_("Đã thu hồi công nhận %(serial)s.", serial=recognition.serial), "success")
        return redirect(url_for("awards.detail", recognition_id=recognition.id))
    return render_template(
        "awards/revoke.html", form=form, r=recognition, cert=services.certificate_data(recognition)
    )


# --- decisions ------------------------------------------------------------------------------------


@bp.route("/decisions/<int:decision_id>")
@login_required
def decision(decision_id: int) -> ResponseReturnValue:
    found = services.get_decision(current_user, decision_id)
    page = paginate(
        select(Recognition)
        .where(Recognition.decision_id == found.id)
        .order_by(Recognition.unit_id, Recognition.id)
    )
    return render_template(
        "awards/decision.html", decision=found, page=page, rows=_snapshots(page.items)
    )


@bp.route("/decisions/<int:decision_id>.pdf")
@login_required
def decision_pdf(decision_id: int) -> ResponseReturnValue:
    found = services.get_decision(current_user, decision_id)
    pdf = certificates.render_pdf("decision", services.decision_data(found))
    slug = re.sub(r"[^a-z0-9]+", "-", vn.fold(found.number)).strip("-") or str(found.id)
    return _pdf(pdf, f"quyet-dinh-{slug}-{found.year}.pdf")
