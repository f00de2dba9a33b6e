"""Clan pages: list and search, details with members, register, edit, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.auth.decorators import editor_required
from registry.citizens.forms import DeleteForm
from registry.clans import services
from registry.clans.forms import ClanForm
from registry.errors import RegistryError
from registry.extensions import db
from registry.models import AdminUnit, UnitLevel
from registry.units.services import get_by_code, units_in_scope
from registry.web import form_data, paginate, submit_form

bp = Blueprint("clans", __name__, url_prefix="/clans")


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    unit_code = request.args.get("unit", "").strip()
    unit = get_by_code(unit_code) if unit_code else None
    q = request.args.get("q", "")[:100]
    page = paginate(services.clans_query(current_user, unit=unit, q=q))
    counts = services.member_counts(c.id for c in page.items)
    return render_template("clans/index.html", page=page, q=q, unit=unit, counts=counts)


@bp.route("/<int:clan_id>")
@login_required
def detail(clan_id: int) -> ResponseReturnValue:
    clan = services.get_clan(current_user, clan_id)
    page = paginate(services.members_query(current_user, clan))
    return render_template(
        "clans/detail.html", clan=clan, page=page, member_count=services.member_count(clan)
    )


def _prepare(form: ClanForm) -> None:
    """Offer each commune in scope followed by its villages."""
    villages: dict[int | None, list[AdminUnit]] = {}
    for village in units_in_scope(current_user, UnitLevel.village):
        villages.setdefault(village.parent_id, []).append(village)
    choices = [("", _("— Chọn xã hoặc thôn —"))]
    for commune in units_in_scope(current_user, UnitLevel.commune):
        choices.append((str(commune.id), commune.display_name))
        choices += [
            (str(v.id), f"{v.display_name} ({commune.display_name})")
            for v in villages.get(commune.id, [])
        ]
    form.unit_id.choices = choices


@bp.route("/new", methods=("GET", "POST"))
@editor_required
def create() -> ResponseReturnValue:
    form = ClanForm()
    _prepare(form)
    clan = submit_form(form, lambda: services.create_clan(current_user, form_data(form)))
    if clan is not None:
        flash(_("Đã đăng ký dòng họ “%(name)s”.", name=clan.name), "success")
        return redirect(url_for("clans.detail", clan_id=clan.id))
    return render_template("clans/form.html", form=form, clan=None)


@bp.route("/<int:clan_id>/edit", methods=("GET", "POST"))
@editor_required
def edit(clan_id: int) -> ResponseReturnValue:
    clan = services.get_clan(current_user, clan_id)
    form = ClanForm()
    _prepare(form)
    if request.method == "GET":
        form.name.data = clan.name
        form.unit_id.data = str(clan.unit_id)
        form.note.data = clan.note
        form.version.data = str(clan.version)
    if (
        submit_form(
            form,
            lambda: services.update_clan(
                current_user, clan, form_data(form), version=form.version.data
            ),
        )
        is not None
    ):
        flash(_("Đã lưu thay đổi."), "success")
        return redirect(url_for("clans.detail", clan_id=clan.id))
    return render_template("clans/form.html", form=form, clan=clan)


@bp.route("/<int:clan_id>/delete", methods=("GET", "POST"))
@editor_required
def delete(clan_id: int) -> ResponseReturnValue:
    clan = services.get_clan(current_user, clan_id)
    form = DeleteForm()
    if form.validate_on_submit():
        name = clan.name
        try:
            services.delete_clan(current_user, clan)
        except RegistryError as error:
            db.session.rollback()
            flash(_(error.message), "danger")
            return redirect(url_for("clans.detail", clan_id=clan_id))
        db.session.commit()
        flash(_("Đã xóa dòng họ %(name)s.", name=name), "success")
        return redirect(url_for("clans.index"))
    return render_template(
        "confirm_delete.html",
        form=form,
        what=_("dòng họ %(name)s (mã %(code)s)", name=clan.name, code=clan.code),
        consequence=_("Chỉ xóa được dòng họ không còn thành viên."),
        cancel_url=url_for("clans.detail", clan_id=clan.id),
    )
