"""The "Hộ gia đình" sheet, and the new households that "Công dân" rows group by Khóa hộ.

A household row with Mã hộ names a registered household (its address may change). A row with
only a Khóa hộ (a name the file gives a new household) creates the household, unless its
members in the "Công dân" sheet are registered people who already share one household of that
village: then the Khóa hộ means that household, so importing the same file again creates
nothing. A Khóa hộ used in "Công dân" but not listed here makes a household in the village of
its first member.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from registry import vn
from registry.errors import RegistryError
from registry.extensions import db
from registry.households import services as household_services
from registry.imports import bulk
from registry.imports.citizens import CitizenRow
from registry.imports.context import Context
from registry.imports.layout import CITIZENS, HOUSEHOLDS, SheetLayout
from registry.imports.report import Change, SheetCount
from registry.imports.sheets import Row, SheetRows
from registry.models import AdminUnit, Household


@dataclass
class Plan:
    """What a Khóa hộ stands for: a registered household, or one to create."""

    key: str
    sheet: SheetLayout
    row: Row
    village: AdminUnit | None
    address: str | None = None
    household: Household | None = None
    failed: bool = False


def apply(ctx: Context, sheet: SheetRows | None, citizens: list[CitizenRow]) -> None:
    """Check every household row, create the new households and record what each key means."""
    rows = sheet.rows if sheet is not None else []
    codes = [r.get("code") for r in rows] + [i.row.get("household_code") for i in citizens]
    ctx.load_households(code.upper() for code in codes if code)
    ctx.load_units(r.get("village") for r in rows if r.get("village"))
    count = ctx.report.count(HOUSEHOLDS.key, HOUSEHOLDS.title)
    plans: dict[str, Plan] = {}
    for row in rows:
        if row.get("code"):
            _registered(ctx, row, plans, count)
        else:
            _declared(ctx, row, plans)
    members: dict[str, list[CitizenRow]] = defaultdict(list)
    for item in citizens:
        if item.household_key:
            members[item.household_key].append(item)
    for key, items in members.items():
        if key not in plans:
            plans[key] = _implicit(ctx, key, items[0])
    _adopt(ctx, plans, members, count)
    _create(ctx, [p for p in plans.values() if p.household is None and not p.failed], count)
    for key, plan in plans.items():
        if plan.household is not None:
            ctx.household_keys[key] = plan.household.id


def _problem(ctx: Context, plan_or_row: Plan | Row, key: str, message: str) -> None:
    row = plan_or_row.row if isinstance(plan_or_row, Plan) else plan_or_row
    layout = plan_or_row.sheet if isinstance(plan_or_row, Plan) else HOUSEHOLDS
    ctx.problem(layout.title, row, layout.header(key) if key else "", message)
    if isinstance(plan_or_row, Plan):
        plan_or_row.failed = True


def _registered(ctx: Context, row: Row, plans: dict[str, Plan], count: SheetCount) -> None:
    code = row.get("code")
    household = ctx.households.get(code.upper())
    if household is None or not ctx.may_edit(household.village_id):
        _problem(
            ctx, row, "code", f"Không tìm thấy hộ gia đình mã {code} trong phạm vi quản lý của bạn."
        )
        return
    if row.get("village") and row.get("village") != household.village.code:
        _problem(
            ctx, row, "village", "Không đổi được thôn của hộ đã có; hãy sửa trên trang hộ gia đình."
        )
        return
    if (key := row.get("key")) is not None:
        if key.upper() in plans:
            _problem(
                ctx, row, "key", f"Khóa hộ {key} đã dùng ở dòng {plans[key.upper()].row.number}."
            )
            return
        plans[key.upper()] = Plan(key.upper(), HOUSEHOLDS, row, household.village, None, household)
    _update_address(ctx, HOUSEHOLDS, row, household, row.get("address"), count)


def _declared(ctx: Context, row: Row, plans: dict[str, Plan]) -> None:
    key = row.get("key")
    if not key:
        if "key" not in row.invalid:
            _problem(
                ctx, row, "key", "Hộ mới cần Khóa hộ để ghép với các công dân trong trang Công dân."
            )
        return
    key = key.upper()
    if key in plans:
        _problem(ctx, row, "key", f"Khóa hộ {key} đã dùng ở dòng {plans[key].row.number}.")
        return
    plan = Plan(key, HOUSEHOLDS, row, None, row.get("address"))
    plans[key] = plan
    code = row.get("village")
    if "village" in row.invalid or "address" in row.invalid:
        plan.failed = True
    elif not code:
        _problem(ctx, plan, "village", "Hộ mới cần Mã thôn.")
    elif (village := ctx.village(code)) is None:
        _problem(ctx, plan, "village", f"Không có thôn/tổ dân phố mã {code}.")
    else:
        plan.village = village


def _implicit(ctx: Context, key: str, first: CitizenRow) -> Plan:
    code = first.row.get("village")
    village = ctx.village(code) if code else None
    if village is None and first.existing is not None and not code:
        village = first.existing.village
    plan = Plan(key, CITIZENS, first.row, village)
    if village is None and not first.failed and "village" not in first.row.invalid:
        _problem(ctx, plan, "village", f"Cần Mã thôn hợp lệ để tạo hộ mới “{key}”.")
    elif village is None:
        plan.failed = True
    return plan


def _adopt(
    ctx: Context, plans: dict[str, Plan], members: dict[str, list[CitizenRow]], count: SheetCount
) -> None:
    """A new household whose registered members already share one household is that one."""
    wanted: dict[str, int] = {}
    for key, plan in plans.items():
        if plan.household is not None or plan.failed:
            continue
        items = members.get(key, [])
        if not items and plan.sheet is HOUSEHOLDS:
            _problem(ctx, plan, "key", "Hộ mới chưa có thành viên nào trong trang Công dân.")
            continue
        current = {i.existing.household_id for i in items if i.existing and i.existing.household_id}
        if len(current) == 1:
            wanted[key] = current.pop()
    ids = sorted(set(wanted.values()))
    found = {}
    for start in range(0, len(ids), 500):
        stmt = select(Household).where(Household.id.in_(ids[start : start + 500]))
        found.update({h.id: h for h in db.session.scalars(stmt)})
    for key, household_id in wanted.items():
        plan, household = plans[key], found.get(household_id)
        if household is not None and plan.village and household.village_id == plan.village.id:
            plan.household = household
            if plan.sheet is HOUSEHOLDS:
                _update_address(ctx, HOUSEHOLDS, plan.row, household, plan.address, count)


def _update_address(
    ctx: Context,
    sheet: SheetLayout,
    row: Row,
    household: Household,
    address: str | None,
    count: SheetCount,
) -> None:
    if address is None or vn.nfc(address) == household.address:
        count.unchanged += 1
        return
    try:
        household_services.update_household(
            ctx.actor,
            household,
            {"address": address, "head_id": household.head_id},
            version=household.version,
        )
    except RegistryError as error:
        ctx.service_error(sheet, row, error)
        return
    count.updated += 1
    ctx.report.change(Change(sheet.title, row.number, "update", household.code, ("Địa chỉ",)))


def _create(ctx: Context, plans: list[Plan], count: SheetCount) -> None:
    if len(plans) >= ctx.bulk_min:
        rows = [(p.sheet, p.row, p.village, p.address) for p in plans]
        ids = bulk.create_households(ctx, rows)
    else:
        ids = [_create_one(ctx, plan) for plan in plans]
    for plan, household_id in zip(plans, ids, strict=True):
        if household_id is None:
            plan.failed = True
            continue
        ctx.household_keys[plan.key] = household_id
        count.created += 1
        where = plan.village.display_name if plan.village else ""
        ctx.report.change(
            Change(plan.sheet.title, plan.row.number, "create", f"hộ mới “{plan.key}” ở {where}")
        )


def _create_one(ctx: Context, plan: Plan) -> int | None:
    assert plan.village is not None  # noqa: S101 - plans without a village failed earlier
    try:
        household = household_services.create_household(
            ctx.actor, {"village_id": plan.village.id, "address": plan.address or ""}
        )
    except RegistryError as error:
        ctx.service_error(plan.sheet, plan.row, error)
        return None
    return household.id
