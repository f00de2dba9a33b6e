"""Organisation pages: list and search, details with members, register, edit, delete,
and adding or removing members."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.auth.decorators import editor_required
from registry.citizens.forms import DeleteForm
from registry.errors import RegistryError
from registry.extensions import db
from registry.models import Organisation, UnitLevel
from registry.organisations import services
from registry.organisations.forms import KIND_CHOICES, ROLE_CHOICES, MemberForm, OrganisationForm
from registry.units.services import get_by_code, units_in_scope
from registry.web import form_data, paginate, submit_form

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

# organisations sit at commune level or above (a department, a district school, a factory)
UNIT_LEVELS = (UnitLevel.province, UnitLevel.district, UnitLevel.commune)


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    unit_code = request.args.get("unit", "").strip()
    unit = get_by_code(unit_code) if unit_code else None
    q = request.args.get("q", "")[:100]
    page = paginate(services.organisations_query(current_user, unit=unit, q=q))
    return render_template(
        "organisations/index.html",
        page=page,
        q=q,
        unit=unit,
        counts=services.member_counts(o.id for o in page.items),
        kinds=dict(KIND_CHOICES),
    )


def _detail_page(organisation: Organisation, member_form: MemberForm) -> str:
    return render_template(
        "organisations/detail.html",
        organisation=organisation,
        page=paginate(services.members_query(organisation)),
        member_count=services.member_count(organisation),
        member_form=member_form,
        kinds=dict(KIND_CHOICES),
        roles=dict(ROLE_CHOICES),
    )


@bp.route("/<int:organisation_id>")
@login_required
def detail(organisation_id: int) -> ResponseReturnValue:
    organisation = services.get_organisation(current_user, organisation_id)
    return _detail_page(organisation, MemberForm())


def _prepare(form: OrganisationForm) -> None:
    units = [u for level in UNIT_LEVELS for u in units_in_scope(current_user, level)]
    units.sort(key=lambda u: [a.code for a in reversed(u.ancestors())])
    form.unit_id.choices = [("", _("— Chọn địa bàn —"))] + [
        (str(u.id), f"{u.display_name} ({u.parent.display_name})" if u.parent else u.display_name)
        for u in units
    ]


@bp.route("/new", methods=("GET", "POST"))
@editor_required
def create() -> ResponseReturnValue:
    form = OrganisationForm()
    _prepare(form)
    if request.method == "GET":
        form.unit_id.data = str(current_user.unit_id)
    organisation = submit_form(
        form, lambda: services.create_organisation(current_user, form_data(form))
    )
    if organisation is not None:
        flash(_("Đã đăng ký %(name)s.", name=organisation.name), "success")
        return redirect(url_for("organisations.detail", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=None)


@bp.route("/<int:organisation_id>/edit", methods=("GET", "POST"))
@editor_required
def edit(organisation_id: int) -> ResponseReturnValue:
    organisation = services.get_organisation(current_user, organisation_id)
    form = OrganisationForm()
    _prepare(form)
    if request.method == "GET":
        form.name.data = organisation.name
        form.kind.data = organisation.kind
        form.unit_id.data = str(organisation.unit_id)
        form.version.data = str(organisation.version)
    if (
        submit_form(
            form,
            lambda: services.update_organisation(
                current_user, organisation, form_data(form), version=form.version.data
            ),
        )
        is not None
    ):
        flash(_("Đã lưu thay đổi."), "success")
        return redirect(url_for("organisations.detail", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=organisation)


@bp.route("/<int:organisation_id>/delete", methods=("GET", "POST"))
@editor_required
def delete(organisation_id: int) -> ResponseReturnValue:
    organisation = services.get_organisation(current_user, organisation_id)
    form = DeleteForm()
    if form.validate_on_submit():
        name = organisation.name
        try:
            services.delete_organisation(current_user, organisation)
        except RegistryError as error:
            db.session.rollback()
            flash(_(error.message), "danger")
            return redirect(url_for("organisations.detail", organisation_id=organisation_id))
        db.session.commit()
        flash(_("Đã xóa %(name)s.", name=name), "success")
        return redirect(url_for("organisations.index"))
    return render_template(
        "confirm_delete.html",
        form=form,
        what=_("%(name)s (mã %(code)s)", name=organisation.name, code=organisation.code),
        consequence=_("Chỉ xóa được cơ quan, đơn vị không còn thành viên."),
        cancel_url=url_for("organisations.detail", organisation_id=organisation.id),
    )


@bp.route("/<int:organisation_id>/members", methods=("GET", "POST"))
@editor_required
def add_member(organisation_id: int) -> ResponseReturnValue:
    organisation = services.get_organisation(current_user, organisation_id)
    if request.method == "GET":  # a page link of the members list shown after a failed add
        page = request.args.get("page") or None
        return redirect(url_for("organisations.detail", organisation_id=organisation.id, page=page))
    form = MemberForm()
    member = submit_form(
        form,
        lambda: services.add_member_by_code(
            current_user, organisation, form.citizen_code.data, form.role.data
        ),
    )
    if member is not None:
        flash(_("Đã thêm %(name)s vào đơn vị.", name=member.citizen.full_name), "success")
        return redirect(url_for("organisations.detail", organisation_id=organisation.id))
    return _detail_page(organisation, form)


@bp.route("/<int:organisation_id>/members/<int:member_id>/remove", methods=("GET", "POST"))
@editor_required
def remove_member(organisation_id: int, member_id: int) -> ResponseReturnValue:
    organisation = services.get_organisation(current_user, organisation_id)
    member = services.get_member(current_user, organisation, member_id)
    form = DeleteForm()
    back = url_for("organisations.detail", organisation_id=organisation.id)
    if form.validate_on_submit():
        name = member.citizen.full_name
        services.remove_member(current_user, member)
        db.session.commit()
        flash(_("Đã xóa %(name)s khỏi danh sách thành viên.", name=name), "success")
        return redirect(back)
    return render_template(
        "confirm_delete.html",
        form=form,
        what=_(
            "%(name)s khỏi danh sách thành viên của %(org)s",
            name=member.citizen.full_name,
            org=organisation.name,
        ),
        consequence=_("Hồ sơ công dân vẫn được giữ nguyên."),
        cancel_url=back,
    )
