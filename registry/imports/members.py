"""The "Thành viên dòng họ" sheet: put registered citizens (or new ones of this file) in a clan.

The change goes through ``citizens.services.update_citizen`` like the citizen form, so the
clan must lie in the citizen's area and the citizen in the actor's scope.
"""

from __future__ import annotations

from registry.citizens import services as citizen_services
from registry.errors import RegistryError
from registry.extensions import db
from registry.imports.citizens import current_data, normal_cccd
from registry.imports.context import Context
from registry.imports.layout import CLAN_MEMBERS
from registry.imports.report import Change
from registry.imports.sheets import Row, SheetRows
from registry.models import AdminUnit, Citizen


def apply(ctx: Context, sheet: SheetRows) -> None:
    """Set the clan of every citizen the sheet names (unchanged rows write nothing)."""
    rows = sheet.rows
    ctx.load_citizens(
        [r.get("citizen_code").upper() for r in rows if r.get("citizen_code")],
        [c for r in rows if (c := normal_cccd(r.get("cccd")))],
    )
    _normalise_cccds(rows)
    count = ctx.report.count(CLAN_MEMBERS.key, CLAN_MEMBERS.title)
    seen: dict[int, int] = {}
    for row in rows:
        person = ctx.person(row, CLAN_MEMBERS)
        if person is None:
            continue
        if person.id in seen:
            ctx.problem(
                CLAN_MEMBERS.title, row, "", f"Công dân này đã có ở dòng {seen[person.id]}."
            )
            continue
        seen[person.id] = row.number
        citizen = db.session.get(Citizen, person.id)
        if citizen is None:  # pragma: no cover - the person was just found or created
            continue
        clan_id = _clan_id(ctx, row, citizen)
        if clan_id is None:
            continue
        if citizen.clan_id == clan_id:
            count.unchanged += 1
            continue
        try:
            citizen_services.update_citizen(
                ctx.actor,
                citizen,
                {**current_data(citizen), "clan_id": clan_id},
                version=citizen.version,
                today=ctx.today,
            )
        except RegistryError as error:
            ctx.service_error(CLAN_MEMBERS, row, error)
            continue
        count.updated += 1
        ctx.report.change(
            Change(CLAN_MEMBERS.title, row.number, "update", citizen.full_name, ("Dòng họ",))
        )


def _normalise_cccds(rows: list[Row]) -> None:
    for row in rows:
        if (cccd := normal_cccd(row.get("cccd"))) is not None:
            row.values["cccd"] = cccd


def _clan_id(ctx: Context, row: Row, citizen: Citizen) -> int | None:
    text = row.get("clan")
    if not text:
        if "clan" not in row.invalid:
            ctx.problem(CLAN_MEMBERS.title, row, "Dòng họ", "Hãy ghi mã hoặc tên dòng họ.")
        return None
    village = db.session.get(AdminUnit, citizen.village_id)
    assert village is not None  # noqa: S101 - a citizen always has a village
    ctx.load_clans({unit.id for unit in village.ancestors()}, [text.upper()])
    try:
        return ctx.find_clan(text, village).id
    except ValueError as error:
        ctx.problem(CLAN_MEMBERS.title, row, "Dòng họ", str(error))
        return None
