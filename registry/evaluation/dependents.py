"""Which subjects must be re-evaluated when a few change (a citizen's activity, an assessment)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlalchemy import select

from registry.evaluation.facts import Period
from registry.evaluation.sets import AREA_SUBJECTS, SUBJECT_ORDER
from registry.extensions import db
from registry.models import Citizen, Clan, Household, Organisation, OrganisationMember

if TYPE_CHECKING:
    from registry.evaluation.services import UnitTree


def _citizen_links(ids: set[int], out: dict[str, set[int]], units: set[int]) -> None:
    if not ids:
        return
    rows = db.session.execute(
        select(Citizen.village_id, Citizen.household_id, Citizen.clan_id).where(Citizen.id.in_(ids))
    ).all()
    for village_id, household_id, clan_id in rows:
        units.add(village_id)
        if household_id:
            out["household"].add(household_id)
        if clan_id:
            out["clan"].add(clan_id)
    out["organisation"].update(
        db.session.scalars(
            select(OrganisationMember.organisation_id).where(OrganisationMember.citizen_id.in_(ids))
        )
    )


def _household_links(ids: set[int], out: dict[str, set[int]], units: set[int]) -> None:
    if not ids:
        return
    rows = db.session.execute(
        select(Household.village_id, Citizen.clan_id)
        .outerjoin(Citizen, Citizen.id == Household.head_id)
        .where(Household.id.in_(ids))
    ).all()
    for village_id, clan_id in rows:
        units.add(village_id)
        if clan_id:
            out["clan"].add(clan_id)


def _group_units(out: dict[str, set[int]], units: set[int]) -> None:
    if out["clan"]:
        units.update(db.session.scalars(select(Clan.unit_id).where(Clan.id.in_(out["clan"]))))
        # a village counts the clans present among its residents
        units.update(
            db.session.scalars(
                select(Citizen.village_id).where(Citizen.clan_id.in_(out["clan"])).distinct()
            )
        )
    if out["organisation"]:
        units.update(
            db.session.scalars(
                select(Organisation.unit_id).where(Organisation.id.in_(out["organisation"]))
            )
        )


def expand(
    touched: dict[str, set[int]], tree: UnitTree, period: Period
) -> Iterator[tuple[str, set[int], list[int]]]:
    """``(kind, ids, home unit ids)`` to re-evaluate, bottom-up, for the ``touched`` subjects."""
    out: dict[str, set[int]] = {kind: set(touched.get(kind, set())) for kind in SUBJECT_ORDER}
    units: set[int] = set()
    _citizen_links(out["citizen"], out, units)
    _household_links(out["household"], out, units)
    _group_units(out, units)
    for kind in AREA_SUBJECTS:
        units.update(out[kind])
    for unit_id in list(units):
        units.update(tree.ancestors(unit_id))
    for kind in AREA_SUBJECTS:
        out[kind] = {u for u in units if tree.by_id[u].level.value == kind}
    for kind in SUBJECT_ORDER:
        if out[kind]:
            yield kind, out[kind], sorted(out[kind] if kind in AREA_SUBJECTS else units)
