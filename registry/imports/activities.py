"""The "Hoạt động học tập" sheet: record activities, never twice.

An activity with the same citizen, date, content and category as a recorded one is that
activity: its other fields are updated if they differ (``update_activity``), otherwise
nothing is written. New activities go through ``record_activity``, or for a large sheet
through :func:`registry.imports.bulk.create_activities` after the service's own parsing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from registry import vn
from registry.activities import services as activity_services
from registry.errors import RegistryError, ValidationFailed
from registry.extensions import db
from registry.imports import bulk
from registry.imports.citizens import normal_cccd
from registry.imports.context import CHUNK, Context, Person
from registry.imports.layout import ACTIVITIES
from registry.imports.report import Change, SheetCount
from registry.imports.sheets import Row, SheetRows
from registry.models import Activity, Citizen

# the service's own parser: imports validate exactly like the form and the API
parse_activity = activity_services._parse
FIELDS = ("category_id", "title", "provider", "held_on", "ended_on", "hours", "evidence")
HEADERS = dict(
    zip(
        FIELDS,
        (
            "Loại hoạt động",
            "Nội dung",
            "Đơn vị tổ chức",
            "Ngày",
            "Ngày kết thúc",
            "Số giờ",
            "Minh chứng",
        ),
        strict=True,
    )
)
Parsed = tuple[Row, Person, dict[str, Any]]


def apply(ctx: Context, sheet: SheetRows) -> None:
    """Record, update or skip every activity row."""
    rows = sheet.rows
    ctx.load_citizens(
        [r.get("citizen_code").upper() for r in rows if r.get("citizen_code")],
        [c for r in rows if (c := normal_cccd(r.get("cccd")))],
    )
    ctx.load_categories()
    parsed = [item for row in rows if (item := _parse(ctx, row)) is not None]
    recorded = _recorded(parsed)
    count = ctx.report.count(ACTIVITIES.key, ACTIVITIES.title)
    seen: dict[tuple[Any, ...], int] = {}
    creates: list[Parsed] = []
    for row, person, values in parsed:
        key = (person.id, values["held_on"], values["title"], values["category_id"])
        if key in seen:
            ctx.problem(ACTIVITIES.title, row, "", f"Trùng hoạt động với dòng {seen[key]}.")
            continue
        seen[key] = row.number
        if (activity := recorded.get(key)) is None:
            creates.append((row, person, values))
        else:
            _update(ctx, row, activity, values, count)
    _create(ctx, creates, count)


def _parse(ctx: Context, row: Row) -> Parsed | None:
    if (cccd := normal_cccd(row.get("cccd"))) is not None:
        row.values["cccd"] = cccd
    person = ctx.person(row, ACTIVITIES)
    data: dict[str, Any] = {key: row.get(key) for key in FIELDS if key != "category_id"}
    category = row.get("category")
    found = ctx.categories.get(vn.fold(category)) if category else None
    if category and found is None:
        ctx.problem(
            ACTIVITIES.title,
            row,
            "Loại hoạt động",
            f"Không có loại hoạt động “{category}”. Xem bảng loại hoạt động ở trang Hướng dẫn.",
        )
        row.invalid.add("category")
    data["category_id"] = found.id if found else None
    try:
        values = parse_activity(data, ctx.today)
    except ValidationFailed as error:
        ctx.service_error(ACTIVITIES, row, error)
        return None
    if person is None or "category" in row.invalid or row.invalid:
        return None
    return row, person, values


def _recorded(parsed: list[Parsed]) -> dict[tuple[Any, ...], Activity]:
    """The recorded activities the parsed rows could repeat, by (citizen, date, title, kind)."""
    if not parsed:
        return {}
    ids = sorted({person.id for _row, person, _values in parsed})
    dates: list[date] = [values["held_on"] for _row, _person, values in parsed]
    found = {}
    for start in range(0, len(ids), CHUNK):
        stmt = select(Activity).where(
            Activity.citizen_id.in_(ids[start : start + CHUNK]),
            Activity.held_on.between(min(dates), max(dates)),
        )
        for activity in db.session.scalars(stmt):
            key = (activity.citizen_id, activity.held_on, activity.title, activity.category_id)
            found[key] = activity
    return found


def _update(
    ctx: Context, row: Row, activity: Activity, values: dict[str, Any], count: SheetCount
) -> None:
    fields = [f for f in FIELDS if getattr(activity, f) != values[f]]
    if not fields:
        count.unchanged += 1
        return
    try:
        activity_services.update_activity(
            ctx.actor, activity, values, version=activity.version, today=ctx.today
        )
    except RegistryError as error:
        ctx.service_error(ACTIVITIES, row, error)
        return
    count.updated += 1
    headers = tuple(HEADERS[f] for f in fields)
    ctx.report.change(Change(ACTIVITIES.title, row.number, "update", activity.title, headers))


def _create(ctx: Context, creates: list[Parsed], count: SheetCount) -> None:
    if len(creates) >= ctx.bulk_min:
        bulk.create_activities(
            ctx, [(p.id, p.village_id, p.full_name, values) for _row, p, values in creates]
        )
        done = [True] * len(creates)
    else:
        done = [_record(ctx, row, person, values) for row, person, values in creates]
    for (row, person, values), ok in zip(creates, done, strict=True):
        if ok:
            count.created += 1
            summary = f"{values['title']} của {person.full_name}"
            ctx.report.change(Change(ACTIVITIES.title, row.number, "create", summary))


def _record(ctx: Context, row: Row, person: Person, values: dict[str, Any]) -> bool:
    citizen = db.session.get(Citizen, person.id)
    assert citizen is not None  # noqa: S101 - found or created by this import
    try:
        activity_services.record_activity(ctx.actor, citizen, values, today=ctx.today)
    except RegistryError as error:
        ctx.service_error(ACTIVITIES, row, error)
        return False
    return True
