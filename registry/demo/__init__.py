"""Demo data under province 34 (Thái Bình): ``seed`` fills an empty database (``flask seed-demo``).

``small`` is Vũ Thư district with six communes (≈ 9,000 citizens, seconds to load) for trying
the application; ``province`` is the whole province (≈ 1.9 million citizens, ≈ 5 million
activities) for benchmarks. Both go through the same bulk path (``bulk.BulkWriter``): rows are
generated as plain dicts from one ``random.Random(seed)``, so the same seed gives the same data.

The parts: ``plan`` (sizes and the unit tree), ``names`` and ``families`` (who lives together),
``people`` (households, citizens, clans, organisations), ``activities`` and ``bulk`` (writing).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select

from registry.demo.activities import ActivityMaker
from registry.demo.bulk import BulkWriter
from registry.demo.people import CommuneLoader, link_household_heads
from registry.demo.plan import SIZES, Tree, build_tree
from registry.errors import Conflict, ValidationFailed
from registry.extensions import db
from registry.models import ActivityCategory, AdminUnit, Role, User

ALREADY_PRESENT = "Demo data already present; nothing to do."
DEMO_PASSWORD = "demo1234"  # noqa: S105 - the published password of the demo accounts


def seed(
    size: str,
    seed: int,
    echo: Callable[[str], None],
    if_empty: bool = False,
    scale: float = 1.0,
) -> str:
    """Fill an empty database with demo data and return a summary with the demo logins.

    :param size: ``"small"`` or ``"province"`` (see :data:`registry.demo.plan.SIZES`).
    :param seed: seed of the random generator; the same seed gives the same people.
    :param echo: prints progress lines.
    :param if_empty: when the database already has units, do nothing and say so instead of
        raising :class:`~registry.errors.Conflict`.
    :param scale: multiplies the households per village (at least one each); tests use a tiny
        scale to load a province-shaped tree quickly.
    :raises Conflict: the database already has administrative units (and not ``if_empty``).
    :raises ValidationFailed: unknown size or a scale outside (0, 1].
    """
    units = db.session.scalar(select(func.count()).select_from(AdminUnit)) or 0
    if units:
        if if_empty:
            return ALREADY_PRESENT
        raise Conflict(
            f"The database already has {units:,} administrative units: seed-demo only fills an "
            "empty database (use --if-empty to skip quietly, or start from a new database)."
        )
    if size not in SIZES or not 0 < scale <= 1:
        raise ValidationFailed(f"Unknown demo size {size!r} or scale {scale} (0 < scale ≤ 1).")
    started = time.perf_counter()
    today = date.today()  # noqa: DTZ011 - the server runs on Vietnam time (registry.web.today)
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, nothing secret
    writer = BulkWriter()
    tree = _load(size, scale, rng, writer, echo, today)
    logins = _create_accounts(tree)
    year_end = _after_seed(size, today.year - 1, echo)
    summary = _summary(size, writer, logins, time.perf_counter() - started, today)
    return f"{summary}\n{year_end}" if year_end else summary


def _load(
    size: str, scale: float, rng: random.Random, writer: BulkWriter,
    echo: Callable[[str], None], today: date,
) -> Tree:  # fmt: skip
    """Generate and write every unit, person and activity of the demo."""
    tree = build_tree(writer, rng, SIZES[size])
    activities = ActivityMaker(rng, writer, _category_ids(), today)
    loader = CommuneLoader(rng, writer, SIZES[size], scale, activities, today)
    for number, (district, communes) in enumerate(tree.districts, 1):
        for commune in communes:
            loader.load(commune)
            if size == "small":
                echo(f"  {commune.place.display}: {writer.counts['citizens']:,} citizens so far")
        writer.flush()
        echo(
            f"districts {number}/{len(tree.districts)} ({district.display}), "
            f"citizens {writer.counts['citizens']:,}, "
            f"activities {writer.counts['activities']:,}…"
        )
    writer.finish()
    link_household_heads()
    return tree


def _category_ids() -> dict[str, int]:
    """Activity category ids by code, loading the categories first if ``init-db`` did not."""
    from registry.activities.services import load_categories

    if not db.session.scalar(select(func.count()).select_from(ActivityCategory)):
        load_categories()
    rows = db.session.execute(select(ActivityCategory.code, ActivityCategory.id)).all()
    return {code: category_id for code, category_id in rows}  # noqa: C416 - rows are Row objects


#: username, role, unit code ("" = the first commune of the tree), full name
_ACCOUNTS = (
    ("admin", Role.admin, "34", "Quản trị hệ thống"),
    ("tinh", Role.province, "34", "Cán bộ Sở Giáo dục và Đào tạo"),
    ("huyen", Role.district, "344", "Cán bộ Phòng Giáo dục và Đào tạo Vũ Thư"),
    ("xa", Role.commune, "", "Cán bộ Hội Khuyến học xã"),
    ("xem", Role.viewer, "", "Cán bộ theo dõi (chỉ xem)"),
)


def _create_accounts(tree: Tree) -> list[str]:
    """The demo staff accounts; returns one line per login for the summary."""
    from registry.auth.services import create_user
    from registry.units.services import get_by_code

    lines = []
    for username, role, code, full_name in _ACCOUNTS:
        unit = get_by_code(code or tree.first_commune.place.code)
        create_user(actor=None, username=username, password=DEMO_PASSWORD, role=role,
                    unit=unit, full_name=full_name)  # fmt: skip
        lines.append(f"  {username:<6} {role.value:<9} {unit.display_name}")
    return lines


def _after_seed(size: str, year: int, echo: Callable[[str], None]) -> str:
    """Finish the demo's previous ``year`` the way a real year ends: committee assessments,
    evaluation of every citizen and unit, approved recognitions with certificate serials
    (printed on demand from their frozen content).

    Only for ``small``: the province-sized demo is benchmark data, evaluated by the benchmarks.
    """
    if size != "small":
        return ""
    from flask import current_app

    from registry.demo.year_end import finish_year

    admin = db.session.scalar(select(User).where(User.username == "admin"))
    if admin is None:  # pragma: no cover - the seed always creates it
        return ""
    return finish_year(year, admin, current_app.config["PUBLIC_BASE_URL"], echo)


def _summary(size: str, writer: BulkWriter, logins: list[str], seconds: float, today: date) -> str:
    counts = writer.counts
    return "\n".join([
        f"Demo data ({size}) loaded in {seconds:,.1f} s with batched {writer.method}s: "
        f"{counts['admin_units']:,} units, {counts['households']:,} households, "
        f"{counts['citizens']:,} citizens, {counts['clans']:,} clans, "
        f"{counts['organisations']:,} organisations, {counts['activities']:,} activities "
        f"({today.year - 1}–{today.year}).",
        f"Demo logins (password {DEMO_PASSWORD}):",
        *logins,
    ])  # fmt: skip
