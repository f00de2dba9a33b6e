"""The "Công dân" sheet: recognise people already registered, then update or create them.

A row names an existing citizen by Mã công dân, else by Số CCCD, else (no code, and no CCCD
of anybody else) by the same full name, date of birth and village. Empty cells of an existing
citizen keep the registered value. Every row goes through ``citizens.services``' own parsing;
changes go through ``update_citizen`` and creations through ``create_citizen`` or, for a large
sheet, :func:`registry.imports.bulk.create_citizens` which checks the same rules set-wise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from registry import vn
from registry.citizens import services as citizen_services
from registry.errors import RegistryError, ValidationFailed
from registry.extensions import db
from registry.imports import bulk
from registry.imports.context import Context, Person
from registry.imports.layout import CITIZENS, parse_gender, parse_relation, parse_status
from registry.imports.report import Change
from registry.imports.sheets import Row, SheetRows
from registry.models import AdminUnit, Citizen
from registry.models.people import CitizenStatus
from registry.people_input import parse_date

# the service's own parser: imports validate exactly like the form and the API
parse_citizen = citizen_services._parse

FIELD_HEADERS = {
    "full_name": "Họ và tên",
    "gender": "Giới tính",
    "birth_date": "Ngày sinh",
    "cccd": "Số CCCD",
    "phone": "Điện thoại",
    "village_id": "Mã thôn",
    "household_id": "Mã hộ",
    "relation": "Quan hệ với chủ hộ",
    "clan_id": "Dòng họ",
    "status": "Tình trạng",
    "left_on": "Ngày chuyển đi/mất",
}
_LABELS = {"gender": parse_gender, "relation": parse_relation, "status": parse_status}
_PLAIN = ("full_name", "birth_date", "cccd", "phone", "left_on")


@dataclass
class CitizenRow:
    """A row of the sheet and the registered citizen it names (if any)."""

    row: Row
    existing: Citizen | None = None
    failed: bool = False

    @property
    def household_key(self) -> str | None:
        key = self.row.get("household_key")
        return key.upper() if key else None


def normal_cccd(value: Any) -> str | None:
    """The 12 digits of a valid CCCD, else None (the parser reports the error)."""
    try:
        return vn.validate_cccd(str(value)) if value else None
    except ValueError:
        return None


def normal_name(value: Any) -> str:
    """A full name as ``create_citizen`` stores it."""
    return " ".join(part for part in vn.split_name(str(value)) if part)


def current_data(citizen: Citizen) -> dict[str, Any]:
    """A citizen's registered values in the services' input format."""
    return {
        "full_name": citizen.full_name,
        "gender": citizen.gender,
        "birth_date": citizen.birth_date,
        "cccd": citizen.cccd,
        "phone": citizen.phone,
        "village_id": citizen.village_id,
        "household_id": citizen.household_id,
        "relation": citizen.relation.value if citizen.relation else None,
        "clan_id": citizen.clan_id,
        "status": citizen.status.value,
        "left_on": citizen.left_on,
    }


# --- recognising registered citizens ---------------------------------------------------------


def resolve(ctx: Context, sheet: SheetRows) -> list[CitizenRow]:
    """Match every row to a registered citizen (or none); reports unknown codes and duplicates."""
    rows = sheet.rows
    ctx.load_citizens(
        [r.get("citizen_code").upper() for r in rows if r.get("citizen_code")],
        [c for r in rows if (c := normal_cccd(r.get("cccd")))],
    )
    ctx.load_units(r.get("village") for r in rows if r.get("village"))
    ctx.load_households(r.get("household_code").upper() for r in rows if r.get("household_code"))
    items = [CitizenRow(row) for row in rows]
    for item in items:
        _match_by_identifier(ctx, item)
    villages = {ctx.village(r.get("village") or "") for r in rows}
    villages |= {i.existing.village for i in items if i.existing is not None}
    ctx.load_clans(
        {unit.id for v in villages if v is not None for unit in v.ancestors()},
        [r.get("clan").upper() for r in rows if r.get("clan")],
    )
    _match_by_name(ctx, [i for i in items if i.existing is None and not i.failed])
    _refuse_duplicates(ctx, items)
    return items


def _match_by_identifier(ctx: Context, item: CitizenRow) -> None:
    row = item.row
    code, cccd = row.get("citizen_code"), normal_cccd(row.get("cccd"))
    if code:
        citizen = ctx.citizens_by_code.get(code.upper())
        if citizen is None or not ctx.may_edit(citizen.village_id):
            _fail(
                ctx,
                item,
                "citizen_code",
                "Không tìm thấy công dân có mã này trong phạm vi quản lý của bạn.",
            )
            return
        item.existing = citizen
    elif cccd and (citizen := ctx.citizens_by_cccd.get(cccd)) is not None:
        if not ctx.may_edit(citizen.village_id):
            _fail(ctx, item, "cccd", "Số CCCD này đã được đăng ký cho người khác.")
            return
        item.existing = citizen


def _name_key(ctx: Context, row: Row) -> tuple[str, Any, int] | None:
    village = ctx.village(row.get("village") or "")
    if not row.get("full_name") or village is None:
        return None
    try:
        born = parse_date(row.get("birth_date"))
    except ValueError:
        return None
    return normal_name(row.get("full_name")), born, village.id


def _match_by_name(ctx: Context, items: list[CitizenRow]) -> None:
    """Rows with neither code nor known CCCD: the one registered person of that name, date of
    birth and village, whose CCCD (if any) does not contradict the row's."""
    keys = {id(item): key for item in items if (key := _name_key(ctx, item.row)) is not None}
    if not keys:
        return
    candidates: dict[tuple[str, Any, int], list[Citizen]] = defaultdict(list)
    villages = sorted({key[2] for key in keys.values()})
    for start in range(0, len(villages), 100):
        stmt = select(Citizen).where(Citizen.village_id.in_(villages[start : start + 100]))
        for citizen in db.session.scalars(stmt):
            candidates[(citizen.full_name, citizen.birth_date, citizen.village_id)].append(citizen)
    for item in items:
        key = keys.get(id(item))
        if key is None:
            continue
        cccd = normal_cccd(item.row.get("cccd"))
        found = [c for c in candidates.get(key, []) if not (cccd and c.cccd and c.cccd != cccd)]
        if len(found) > 1:
            _fail(
                ctx,
                item,
                "",
                "Có nhiều công dân trùng họ tên và ngày sinh ở thôn này; hãy ghi Mã công dân.",
            )
        elif found:
            item.existing = found[0]


def _refuse_duplicates(ctx: Context, items: list[CitizenRow]) -> None:
    seen: dict[Any, int] = {}
    for item in items:
        if item.failed:
            continue
        cccd = normal_cccd(item.row.get("cccd"))
        keys: list[tuple[str, Any]] = [("id", item.existing.id)] if item.existing else []
        keys += [("cccd", cccd)] if cccd else []
        earlier = next((seen[k] for k in keys if k in seen), None)
        if earlier is not None:
            _fail(ctx, item, "", f"Trùng công dân với dòng {earlier}; mỗi người chỉ ghi một dòng.")
            continue
        for key in keys:
            seen[key] = item.row.number


def _fail(ctx: Context, item: CitizenRow, key: str, message: str) -> None:
    item.failed = True
    header = CITIZENS.header(key) if key else ""
    ctx.problem(CITIZENS.title, item.row, header, message)
    if key:
        item.row.invalid.add(key)


# --- building the service input ----------------------------------------------------------------


def build(ctx: Context, item: CitizenRow) -> dict[str, Any] | None:
    """The service input for a row: registered values overlaid with the row's cells."""
    row = item.row
    data = current_data(item.existing) if item.existing is not None else {}
    for key in _PLAIN:
        if key in row.values:
            data[key] = row.values[key]
    for key, parse in _LABELS.items():
        if key in row.values:
            try:
                data[key] = parse(row.values[key])
            except ValueError as error:
                _fail(ctx, item, key, str(error))
    if item.existing is None and "gender" not in row.values and "gender" not in row.invalid:
        _fail(ctx, item, "gender", "Giới tính phải là Nam hoặc Nữ.")
    _links(ctx, item, data)
    return None if item.failed else data


def _links(ctx: Context, item: CitizenRow, data: dict[str, Any]) -> None:
    row = item.row
    if code := row.get("village"):
        village = ctx.village(code)
        if village is None:
            _fail(ctx, item, "village", f"Không có thôn/tổ dân phố mã {code}.")
        else:
            data["village_id"] = village.id
    household_code, key = row.get("household_code"), item.household_key
    if household_code and key:
        _fail(ctx, item, "household_key", "Chỉ ghi một trong hai cột Mã hộ hoặc Khóa hộ.")
    elif household_code:
        household = ctx.households.get(household_code.upper())
        if household is None:
            _fail(ctx, item, "household_code", f"Không có hộ gia đình mã {household_code}.")
        else:
            data["household_id"] = household.id
    elif key:
        if key in ctx.household_keys:
            data["household_id"] = ctx.household_keys[key]
        else:
            item.failed = True  # the household's own problem is reported already
    if (clan := row.get("clan")) and data.get("village_id"):
        village = db.session.get(AdminUnit, data["village_id"])
        try:
            data["clan_id"] = ctx.find_clan(clan, village).id if village else None
        except ValueError as error:
            _fail(ctx, item, "clan", str(error))


# --- applying ------------------------------------------------------------------------------------


def changed_fields(citizen: Citizen, values: dict[str, Any]) -> list[str]:
    """The service fields whose parsed ``values`` differ from the registered citizen."""
    expected: dict[str, Any] = {"full_name": normal_name(values["full_name"])}
    expected.update({key: values[key] for key in citizen_services.CITIZEN_FIELDS[1:]})
    if expected["status"] == CitizenStatus.active:
        expected["left_on"] = None
    return [key for key, value in expected.items() if getattr(citizen, key) != value]


def apply(ctx: Context, items: list[CitizenRow]) -> None:
    """Update the rows naming registered citizens, then create the others."""
    count = ctx.report.count(CITIZENS.key, CITIZENS.title)
    creates: list[tuple[CitizenRow, dict[str, Any], dict[str, Any]]] = []
    for item in items:
        if item.failed:
            continue
        data = build(ctx, item)
        if data is None:
            continue
        values, errors = parse_citizen(data, ctx.today)
        if errors.errors:
            item.failed = True
            ctx.service_error(
                CITIZENS, item.row, ValidationFailed("", errors.errors), _aliases(item)
            )
        elif item.existing is None:
            creates.append((item, data, values))
        elif fields := changed_fields(item.existing, values):
            _update(ctx, item, data, fields, count)
        else:
            count.unchanged += 1
    if len(creates) >= ctx.bulk_min:
        ids = bulk.create_citizens(ctx, CITIZENS, [(i.row, v) for i, _d, v in creates], _aliases)
    else:
        ids = [_create(ctx, item, data) for item, data, _v in creates]
    for (item, _data, values), citizen_id in zip(creates, ids, strict=True):
        if citizen_id is not None:
            count.created += 1
            _created(ctx, item, values, citizen_id)


def _aliases(item: Any) -> dict[str, str]:
    row = item.row if isinstance(item, CitizenRow) else item
    key = "household_key" if row.get("household_key") else "household_code"
    return {"household_id": key}


def _update(
    ctx: Context, item: CitizenRow, data: dict[str, Any], fields: list[str], count: Any
) -> None:
    citizen = item.existing
    assert citizen is not None  # noqa: S101 - only called for registered citizens
    try:
        citizen_services.update_citizen(
            ctx.actor, citizen, data, version=citizen.version, today=ctx.today
        )
    except RegistryError as error:
        item.failed = True
        ctx.service_error(CITIZENS, item.row, error, _aliases(item))
        return
    count.updated += 1
    ctx.citizens_by_code[citizen.code] = citizen
    if citizen.cccd:
        ctx.citizens_by_cccd[citizen.cccd] = citizen
    ctx.report.change(_change(item.row, "update", citizen.full_name, fields))


def _create(ctx: Context, item: CitizenRow, data: dict[str, Any]) -> int | None:
    try:
        citizen = citizen_services.create_citizen(ctx.actor, data, today=ctx.today)
        db.session.flush()  # a new head is named after the service's flush: the next row sees it
    except RegistryError as error:
        item.failed = True
        ctx.service_error(CITIZENS, item.row, error, _aliases(item))
        return None
    return citizen.id


def _created(ctx: Context, item: CitizenRow, values: dict[str, Any], citizen_id: int) -> None:
    name = normal_name(values["full_name"])
    person = Person(citizen_id, values["village_id"], name)
    if values["cccd"]:
        ctx.created["cccd:" + values["cccd"]] = person
    ctx.report.change(_change(item.row, "create", name, []))


def _change(row: Row, action: str, name: str, fields: list[str]) -> Change:
    return Change(CITIZENS.title, row.number, action, name, tuple(FIELD_HEADERS[f] for f in fields))
