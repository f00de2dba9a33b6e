"""Recording citizens' learning activities, and the configurable activity categories."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select

from registry import audit
from registry.auth.services import require_edit, require_scope, scope_filter
from registry.errors import NotFound
from registry.evaluation.services import refresh_if_evaluated
from registry.extensions import db
from registry.models import Activity, ActivityCategory, Citizen, User
from registry.people_input import (
    FieldErrors,
    optional_date,
    optional_text,
    parse_date,
    positive_hours,
    record_id,
    required_text,
    whole_number,
)

CATEGORIES_FILE = Path(__file__).resolve().parent.parent / "data" / "activity_categories.toml"


def load_categories(path: Path = CATEGORIES_FILE) -> int:
    """Insert or update the activity categories from the data file; returns how many changed."""
    rows = tomllib.loads(path.read_text(encoding="utf-8"))["category"]
    existing = {c.code: c for c in db.session.scalars(select(ActivityCategory))}
    changed = 0
    for order, row in enumerate(rows):
        category = existing.get(row["code"]) or ActivityCategory(code=row["code"])
        values = {
            "name_vi": row["name_vi"],
            "name_en": row["name_en"],
            "sort_order": order,
            "is_active": row.get("active", True),
        }
        if any(getattr(category, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(category, key, value)
            db.session.add(category)
            changed += 1
    db.session.flush()
    return changed


def categories(active_only: bool = True) -> list[ActivityCategory]:
    """Categories in display order."""
    stmt = select(ActivityCategory).order_by(ActivityCategory.sort_order)
    if active_only:
        stmt = stmt.where(ActivityCategory.is_active.is_(True))
    return list(db.session.scalars(stmt))


def activities_query(
    actor: User, *, citizen: Citizen | None = None, year: int | None = None
) -> Select[tuple[Activity]]:
    """Activities in the actor's scope (of one citizen and/or one year), newest first."""
    stmt = select(Activity).join(Citizen).where(scope_filter(actor, Citizen.village_id))
    if citizen is not None:
        stmt = stmt.where(Activity.citizen_id == citizen.id)
    if year is not None:
        stmt = stmt.where(Activity.held_on.between(date(year, 1, 1), date(year, 12, 31)))
    return stmt.order_by(Activity.held_on.desc(), Activity.id.desc())


def get_activity(actor: User, activity_id: int) -> Activity:
    """The activity if the actor may see its citizen; NotFound otherwise."""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise NotFound("Không tìm thấy hoạt động học tập.")
    require_scope(actor, activity.citizen.village)
    return activity


def _parse(data: Mapping[str, Any], today: date) -> dict[str, Any]:
    errors = FieldErrors()
    values = {
        "category_id": errors.check("category_id", _category_id, data.get("category_id")),
        "title": errors.check("title", required_text(200), data.get("title")),
        "provider": errors.check("provider", optional_text(200), data.get("provider")),
        "held_on": errors.check("held_on", parse_date, data.get("held_on")),
        "ended_on": errors.check("ended_on", optional_date, data.get("ended_on")),
        "hours": errors.check("hours", positive_hours, data.get("hours")),
        "evidence": errors.check("evidence", optional_text(2000), data.get("evidence")),
    }
    held, ended = values["held_on"], values["ended_on"]
    if held is not None and held > today:
        errors.add("held_on", "Không ghi nhận hoạt động chưa diễn ra.")
    if held is not None and ended is not None and ended < held:
        errors.add("ended_on", "Ngày kết thúc phải sau ngày bắt đầu.")
    errors.raise_if_any()
    return values


def _category_id(value: Any) -> int:
    category = None
    if isinstance(value, str) and not value.isdigit():
        category = db.session.scalar(select(ActivityCategory).where(ActivityCategory.code == value))
    elif (category_id := record_id(value)) is not None:
        category = db.session.get(ActivityCategory, category_id)
    if category is None or not category.is_active:
        raise ValueError("Vui lòng chọn loại hoạt động hợp lệ.")
    return category.id


def record_activity(
    actor: User, citizen: Citizen, data: Mapping[str, Any], *, today: date
) -> Activity:
    """Record one learning activity for ``citizen``."""
    require_edit(actor, citizen.village)
    activity = Activity(citizen=citizen, created_by_id=actor.id, **_parse(data, today))
    db.session.add(activity)
    db.session.flush()
    refresh_if_evaluated([activity.held_on.year], {"citizen": {citizen.id}})
    audit.record(
        actor,
        "create",
        activity,
        unit_id=citizen.village_id,
        changes=audit.snapshot(activity),
        summary=f"{citizen.full_name}: {activity.title}",
    )
    return activity


def update_activity(
    actor: User, activity: Activity, data: Mapping[str, Any], *, version: Any, today: date
) -> Activity:
    """Change an activity; refused when somebody saved it since ``version`` was read."""
    require_edit(actor, activity.citizen.village)
    audit.check_version(activity, whole_number(version))
    values = _parse(data, today)
    before = audit.snapshot(activity)
    old_year = activity.held_on.year
    for key, value in values.items():
        setattr(activity, key, value)
    db.session.flush()
    refresh_if_evaluated({old_year, activity.held_on.year}, {"citizen": {activity.citizen_id}})
    audit.record(
        actor,
        "update",
        activity,
        unit_id=activity.citizen.village_id,
        changes=audit.diff(before, activity),
        summary=activity.title,
    )
    return activity


def delete_activity(actor: User, activity: Activity) -> None:
    """Delete an activity (its snapshot stays in the audit log)."""
    require_edit(actor, activity.citizen.village)
    audit.record(
        actor,
        "delete",
        activity,
        unit_id=activity.citizen.village_id,
        changes=audit.snapshot(activity),
        summary=activity.title,
    )
    year, citizen_id = activity.held_on.year, activity.citizen_id
    db.session.delete(activity)
    db.session.flush()
    refresh_if_evaluated([year], {"citizen": {citizen_id}})
