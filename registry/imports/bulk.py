"""Creating many households, citizens and activities at once, with the services' own checks.

The services create one record per call: about 10 ms a citizen here (a uniqueness query for
the code and the CCCD, a flush and an audit row each), so 100,000 citizens would take 15–25
minutes. These functions apply the same rules to a whole sheet with a few set-wise queries,
then insert in batches (``INSERT … RETURNING`` through SQLAlchemy's insertmanyvalues) and write
the same audit entries the services write. Field parsing is the services' own
(``citizens.services._parse``, ``activities.services._parse``), run by the callers; the link
checks below mirror ``citizens.services._check_links`` and ``households.services._village``
message for message, and ``tests/registry/test_imports.py`` runs the same files through both
paths and compares the outcome.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update

from registry import audit
from registry.citizens import services as citizen_services
from registry.errors import ValidationFailed
from registry.evaluation.services import refresh_if_evaluated
from registry.extensions import db
from registry.imports.context import CHUNK, Context
from registry.imports.layout import SheetLayout
from registry.imports.sheets import Row
from registry.models import Activity, AdminUnit, AuditEntry, Citizen, Clan, Household
from registry.models._mixins import utcnow
from registry.models.people import CitizenStatus, Relation
from registry.people_input import FieldErrors, optional_text

OUT_OF_SCOPE = "Thôn/tổ dân phố nằm ngoài phạm vi quản lý của bạn."


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


def _insert(model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in batches; their new ids in the same order."""
    if not rows:
        return []
    table = _table(model)
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.execute(stmt, rows).scalars())


def _audit(ctx: Context, objects: Iterable[tuple[Any, int, str]]) -> None:
    """One "create" audit entry per object, as ``audit.record`` writes them."""
    now = utcnow()
    rows = [
        {
            "at": now,
            "user_id": ctx.actor.id,
            "action": "create",
            "object_type": type(obj).__name__,
            "object_id": obj.id,
            "unit_id": unit_id,
            "summary": summary[:300],
            "changes": json.dumps(audit.snapshot(obj), ensure_ascii=False, default=str),
        }
        for obj, unit_id, summary in objects
    ]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(_table(AuditEntry)), rows[start : start + 5000])


def _columns(obj: Any, model: type) -> dict[str, Any]:
    return {
        column.key: getattr(obj, column.key)
        for column in _table(model).columns
        if column.key not in {"id", "version", "created_at", "updated_at"}
    }


def _existing(column: Any, values: Iterable[Any]) -> set[Any]:
    """Which of ``values`` the (unique) ``column`` already holds."""
    wanted = sorted(set(values))
    found: set[Any] = set()
    for start in range(0, len(wanted), CHUNK):
        found.update(db.session.scalars(select(column).where(column.in_(wanted[start : start + CHUNK]))))
    return found


def _fresh_codes(column: Any, make: Callable[[], str], count: int) -> list[str]:
    """``count`` random codes that no row holds yet (the services draw theirs the same way)."""
    codes: list[str] = []
    while len(codes) < count:
        batch = {make() for _unused in range(count - len(codes))} - set(codes)
        codes.extend(sorted(batch - _existing(column, batch)))
    return codes


def _report(ctx: Context, sheet: SheetLayout, row: Row, errors: FieldErrors, aliases: Any) -> None:
    ctx.service_error(sheet, row, ValidationFailed("", errors.errors), aliases)


# --- households ----------------------------------------------------------------------------------


def create_households(
    ctx: Context, plans: list[tuple[SheetLayout, Row, AdminUnit | None, str | None]]
) -> list[int | None]:
    """``households.services.create_household`` for many households: the ids (None: refused)."""
    accepted: list[tuple[int, Household, AdminUnit]] = []
    for index, (sheet, row, village, address) in enumerate(plans):
        errors = FieldErrors()
        if village is None:
            errors.add("village_id", "Vui lòng chọn thôn/tổ dân phố.")
        elif not ctx.may_edit(village.id):
            errors.add("village_id", OUT_OF_SCOPE)
        text = errors.check("address", optional_text(200), address)
        if errors.errors:
            _report(ctx, sheet, row, errors, None)
            continue
        assert village is not None  # noqa: S101 - checked above
        accepted.append((index, Household(village_id=village.id, address=text), village))
    for _index, household, village in accepted:  # the code households.services draws
        household.code = f"HGD{village.code}-{secrets.randbelow(10**6):06d}"
    _unique_household_codes([h for _i, h, _v in accepted])
    ids = _insert(Household, [_columns(h, Household) for _i, h, _v in accepted])
    result: list[int | None] = [None] * len(plans)
    for (index, household, _village), new_id in zip(accepted, ids, strict=True):
        household.id, household.version, result[index] = new_id, 1, new_id
    _audit(ctx, ((h, h.village_id, h.code) for _i, h, _v in accepted))
    return result


def _unique_household_codes(households: list[Household]) -> None:
    """Redraw the codes that clash with a registered household or with each other."""
    while True:
        taken = _existing(Household.code, (h.code for h in households))
        seen: set[str] = set()
        clashes = []
        for household in households:
            if household.code in taken or household.code in seen:
                clashes.append(household)
            seen.add(household.code)
        if not clashes:
            return
        for household in clashes:
            prefix = household.code.rsplit("-", 1)[0]
            household.code = f"{prefix}-{secrets.randbelow(10**6):06d}"


# --- citizens --------------------------------------------------------------------------------


class _Links:
    """What the citizen link checks need, fetched once for a whole sheet."""

    def __init__(self, ctx: Context, values: list[dict[str, Any]]) -> None:
        self.ctx = ctx
        self.taken_cccd = _existing(Citizen.cccd, (v["cccd"] for v in values if v["cccd"]))
        ids = sorted({v["household_id"] for v in values if v["household_id"]})
        self.households: dict[int, tuple[int, int | None]] = {}
        for start in range(0, len(ids), CHUNK):
            stmt = select(Household.id, Household.village_id, Household.head_id).where(
                Household.id.in_(ids[start : start + CHUNK])
            )
            self.households.update({h_id: (v_id, head) for h_id, v_id, head in db.session.execute(stmt)})
        self.areas: dict[int, set[int]] = {}

    def area(self, village: AdminUnit) -> set[int]:
        if village.id not in self.areas:
            self.areas[village.id] = {unit.id for unit in village.ancestors()}
        return self.areas[village.id]

    def check(self, values: dict[str, Any]) -> FieldErrors:
        """``citizens.services._check_links`` for a new citizen, against the prefetched facts."""
        errors = FieldErrors()
        village = db.session.get(AdminUnit, values["village_id"])
        if village is None or village.level.value != "village":
            errors.add("village_id", "Thôn/tổ dân phố không tồn tại.")
            village = None
        elif not (self.ctx.may_edit(village.id) and self.ctx.actor.can_edit):
            errors.add("village_id", OUT_OF_SCOPE)
        self._household(values, errors, village)
        if values["clan_id"]:
            clan = db.session.get(Clan, values["clan_id"])
            if clan is None or village is None or clan.unit_id not in self.area(village):
                errors.add("clan_id", "Dòng họ không thuộc địa bàn của công dân.")
        if values["cccd"] and values["cccd"] in self.taken_cccd:
            errors.add("cccd", "Số CCCD này đã được đăng ký cho người khác.")
        if values["status"] != CitizenStatus.active and values["left_on"] is None:
            errors.add("left_on", "Vui lòng nhập ngày chuyển đi hoặc mất.")
        return errors

    def _household(
        self, values: dict[str, Any], errors: FieldErrors, village: AdminUnit | None
    ) -> None:
        if not values["household_id"]:
            if values["relation"] is not None:
                errors.add("relation", "Chỉ ghi quan hệ với chủ hộ khi công dân thuộc một hộ.")
            return
        facts = self.households.get(values["household_id"])
        if facts is None or (village is not None and facts[0] != village.id):
            errors.add("household_id", "Hộ gia đình phải thuộc cùng thôn với công dân.")
        elif values["relation"] is Relation.head and facts[1] is not None:
            errors.add("relation", "Hộ này đã có chủ hộ. Hãy đổi chủ hộ trên trang hộ gia đình.")

    def accept(self, values: dict[str, Any]) -> None:
        """Count a created citizen in the facts checked for the next rows."""
        if values["cccd"]:
            self.taken_cccd.add(values["cccd"])
        household_id = values["household_id"]
        if values["relation"] is Relation.head and household_id in self.households:
            self.households[household_id] = (self.households[household_id][0], -1)


def create_citizens(
    ctx: Context,
    sheet: SheetLayout,
    items: list[tuple[Row, dict[str, Any]]],
    aliases: Callable[[Row], dict[str, str]],
) -> list[int | None]:
    """``citizens.services.create_citizen`` for many parsed rows: the ids (None: refused)."""
    links = _Links(ctx, [values for _row, values in items])
    accepted: list[tuple[int, dict[str, Any]]] = []
    for index, (row, values) in enumerate(items):
        errors = links.check(values)
        if errors.errors:
            _report(ctx, sheet, row, errors, aliases(row))
            continue
        links.accept(values)
        accepted.append((index, values))
    codes = _fresh_codes(Citizen.code, citizen_services.new_code, len(accepted))
    citizens = []
    for (_index, values), code in zip(accepted, codes, strict=True):
        citizen = Citizen(code=code)
        citizen_services._apply(citizen, values)  # the service's own name and key handling
        citizens.append(citizen)
    ids = _insert(Citizen, [_columns(c, Citizen) for c in citizens])
    result: list[int | None] = [None] * len(items)
    heads = []
    for (index, _values), citizen, new_id in zip(accepted, citizens, ids, strict=True):
        citizen.id, citizen.version, result[index] = new_id, 1, new_id
        if citizen.relation is Relation.head and citizen.household_id:
            heads.append({"household": citizen.household_id, "head": new_id})
    if heads:  # create_citizen names a new head on their household
        table = _table(Household)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("household"))
            .values(head_id=bindparam("head"), version=table.c.version + 1)
        )
        db.session.execute(stmt, heads)
    _audit(ctx, ((c, c.village_id, c.full_name) for c in citizens))
    db.session.expire_all()  # households changed behind the ORM's back
    return result


# --- activities --------------------------------------------------------------------------------


def create_activities(ctx: Context, items: list[tuple[int, int, str, dict[str, Any]]]) -> list[int]:
    """``activities.services.record_activity`` for many parsed activities.

    ``items`` are (citizen id, village id, citizen name, parsed values); the citizens were
    checked to lie in the actor's scope.
    """
    activities = [
        Activity(citizen_id=citizen_id, created_by_id=ctx.actor.id, **values)
        for citizen_id, _village, _name, values in items
    ]
    ids = _insert(Activity, [_columns(a, Activity) for a in activities])
    for activity, new_id in zip(activities, ids, strict=True):
        activity.id, activity.version = new_id, 1
    years: set[int] = {a.held_on.year for a in activities}
    refresh_if_evaluated(years, {"citizen": {a.citizen_id for a in activities}})
    _audit(
        ctx,
        (
            (activity, village_id, f"{name}: {activity.title}")
            for activity, (_c, village_id, name, _v) in zip(activities, items, strict=True)
        ),
    )
    return ids
