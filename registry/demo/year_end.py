"""Close the demo's previous year the way a real year ends: committee assessments, the
evaluation of every citizen and unit, then approved recognitions with certificate serials.

Everything goes through the application's own services (evaluation, approval), so the demo
shows what the registry itself produces. Assessments are written set-based: one
``INSERT … SELECT`` per attested criterion, with scores drawn from a deterministic hash of
the subject id, so the same seed gives the same year.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import case, func, insert, literal, select

from criteria import AttestedParams, CriteriaSet
from registry.awards.services import DecisionInput, approve, preview, recogniser_unit
from registry.evaluation.services import evaluate_year
from registry.evaluation.sets import all_sets
from registry.extensions import db
from registry.models import (
    Activity,
    ActivityCategory,
    AdminUnit,
    Assessment,
    Citizen,
    Clan,
    EvaluationResult,
    Household,
    Organisation,
    User,
)
from registry.models._mixins import utcnow
from registry.models.people import CitizenStatus

TABLES: dict[str, Any] = {
    "citizen": Citizen,
    "household": Household,
    "clan": Clan,
    "organisation": Organisation,
}
SIGNERS = ("Nguyễn Văn Thành", "Trần Thị Hương", "Phạm Đức Long", "Vũ Thị Mai", "Đỗ Minh Tuấn")


def _count(model: Any, condition: Any) -> int:
    # rowcount of INSERT … SELECT is not reliable across drivers (psycopg reports -1 here)
    return int(db.session.scalar(select(func.count()).select_from(model).where(condition)) or 0)


def _sets(year: int) -> list[CriteriaSet]:
    return [s for s in all_sets() if s.valid_in(year) and s.scope is None]


def _bucket(id_column: Any, salt: int) -> Any:
    """A repeatable pseudo-random number 0–99 per subject (same in SQLite and PostgreSQL)."""
    return (id_column * 7919 + salt * 104729) % 100


def _village_drive(village_id: Any) -> Any:
    """How keen a village is on learning, 0–59: mostly its commune's drive (0–49), a little its
    own (0–9), so villages, communes and the clans across them all show a mix of results."""
    commune_id = select(AdminUnit.parent_id).where(AdminUnit.id == village_id).scalar_subquery()
    return (commune_id * 53) % 50 + (village_id * 37) % 10


def _boost(table: Any) -> Any:
    """Better assessments where the village or commune is keen."""
    if table is Citizen or table is Household:
        return _village_drive(table.village_id) / 2
    if table is Clan:
        return (table.unit_id * 53) % 50 / 2
    if table is AdminUnit:
        return case(
            (
                AdminUnit.level == "village",
                ((AdminUnit.parent_id * 53) % 50 + (AdminUnit.id * 37) % 10) / 2,
            ),
            else_=(AdminUnit.id * 53) % 50 / 2,
        )
    return literal(0)


def _score_sql(points: float, bucket: Any) -> Any:
    """Mostly good scores, sometimes weak, rarely missing (no assessment row then)."""
    return case(
        (bucket < 6, literal(points * 0.3)),
        (bucket < 22, literal(points * 0.6)),
        (bucket < 55, literal(points * 0.8)),
        else_=literal(points * 1.0),
    )


# the year's mass learning events most adults join (the 2025 "Bình dân học vụ số" movement
# taught basic digital skills online; the Lifelong Learning Week is every October)
CAMPAIGNS = (
    ("online", "Bình dân học vụ số: kỹ năng số cơ bản (học phần 1)",
     "Nền tảng học trực tuyến mở (MOOCs)", (3, 1), 3.0),
    ("online", "Bình dân học vụ số: an toàn trên không gian mạng (học phần 2)",
     "Nền tảng học trực tuyến mở (MOOCs)", (5, 1), 3.0),
    ("campaign", "Tuần lễ hưởng ứng học tập suốt đời", "Trung tâm học tập cộng đồng xã",
     (10, 2), 10.0),
    ("self_study", "Đọc sách tại tủ sách thôn", "Tủ sách cộng đồng thôn", (6, 1), 16.0),
)  # fmt: skip


def seed_campaigns(year: int) -> int:
    """Record the year's mass events for the adults who joined them (set-based)."""
    categories = dict(db.session.execute(select(ActivityCategory.code, ActivityCategory.id)).all())
    before = _count(Activity, Activity.held_on.between(date(year, 1, 1), date(year, 12, 31)))
    for salt, (code, title, provider, (month, day), hours) in enumerate(CAMPAIGNS):
        bucket = _bucket(Citizen.id, 7)  # the same people tend to join every event
        share = 50 + _village_drive(Citizen.village_id)  # half to all of a village's adults
        rows = select(
            Citizen.id,
            literal(categories[code]),
            literal(title),
            literal(provider),
            literal(date(year, month, day)),
            literal(hours),
            literal(""),
            literal(1),
            literal(utcnow()),
            literal(utcnow()),
        ).where(
            Citizen.birth_date <= date(year - 15, 12, 31),
            Citizen.status == CitizenStatus.active,
            bucket + salt < share,
        )
        db.session.execute(
            insert(Activity).from_select(
                [
                    "citizen_id",
                    "category_id",
                    "title",
                    "provider",
                    "held_on",
                    "hours",
                    "evidence",
                    "version",
                    "created_at",
                    "updated_at",
                ],
                rows,
            )
        )
    return _count(Activity, Activity.held_on.between(date(year, 1, 1), date(year, 12, 31))) - before


def seed_assessments(year: int) -> int:
    """Committee assessments for every attested criterion of every subject of ``year``."""
    before = _count(Assessment, Assessment.year == year)
    for salt, cset in enumerate(_sets(year), start=1):
        table = TABLES.get(cset.subject, AdminUnit)
        for index, criterion in enumerate(cset.criteria):
            if not isinstance(criterion.params, AttestedParams):
                continue
            raw = _bucket(table.id, salt * 31 + index) + _boost(table)
            bucket = case((raw > 99, 99), else_=raw)
            subjects = select(table.id).where(bucket >= 3)  # a few were never assessed
            if table is AdminUnit:
                subjects = subjects.where(AdminUnit.level == cset.subject)
            yes_no = criterion.params.scale == "yes_no"
            rows = select(
                literal(cset.subject),
                table.id,
                literal(year),
                literal(criterion.id),
                literal(None) if yes_no else _score_sql(criterion.points, bucket),
                case((bucket >= 25, True), else_=False) if yes_no else literal(None),
                literal("Biên bản họp hội đồng xét công nhận (dữ liệu mẫu)"),
                literal(1),
                literal(utcnow()),
                literal(utcnow()),
            ).where(table.id.in_(subjects))
            db.session.execute(
                insert(Assessment).from_select(
                    [
                        "subject_type",
                        "subject_id",
                        "year",
                        "criterion_id",
                        "score",
                        "yes",
                        "evidence",
                        "version",
                        "created_at",
                        "updated_at",
                    ],
                    rows,
                )
            )
    return _count(Assessment, Assessment.year == year) - before


def _decision(unit: AdminUnit, number: int, year: int) -> DecisionInput:
    signer = SIGNERS[unit.id % len(SIGNERS)]
    return DecisionInput(
        number=f"{number}/QĐ-UBND",
        decided_on=date(year, 12, 15),
        issuer_name=f"Ủy ban nhân dân {unit.kind} {unit.name}",
        issuer_short=f"ỦY BAN NHÂN DÂN\n{unit.kind.upper()} {unit.name.upper()}",
        place_name=unit.name,
        signer_title="TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        signer_name=signer,
    )


def approve_all(year: int, actor: User, public_base_url: str) -> int:
    """One decision per recognising unit and title, approving every passing proposal."""
    created = 0
    numbers: dict[int, int] = {}
    for kind in (
        "citizen",
        "household",
        "clan",
        "organisation",
        "village",
        "commune",
        "district",
        "province",
    ):
        rows = db.session.execute(
            select(EvaluationResult.id, EvaluationResult.unit_id).where(
                EvaluationResult.year == year,
                EvaluationResult.subject_type == kind,
                EvaluationResult.passed.is_(True),
            )
        ).all()
        by_recogniser: dict[int, list[int]] = {}
        units = {u.id: u for u in db.session.scalars(select(AdminUnit))}
        for result_id, unit_id in rows:
            issuer = recogniser_unit(kind, units[unit_id])
            by_recogniser.setdefault(issuer.id, []).append(result_id)
        for issuer_id, result_ids in sorted(by_recogniser.items()):
            if not preview(actor, year, kind, result_ids).result_ids:
                continue
            numbers[issuer_id] = numbers.get(issuer_id, 0) + 1
            decision = approve(
                actor,
                year,
                kind,
                result_ids,
                _decision(units[issuer_id], numbers[issuer_id], year),
                public_base_url=public_base_url,
            )
            created += len(decision.recognitions)
    return created


def finish_year(year: int, actor: User, public_base_url: str, echo: Callable[[str], None]) -> str:
    """Assess, evaluate and recognise ``year``; return a one-line summary."""
    joined = seed_campaigns(year)
    assessed = seed_assessments(year)
    db.session.flush()
    reports = evaluate_year(year)
    passed = {r.kind: r.passed for r in reports}
    evaluated = {r.kind: r.evaluated for r in reports}
    echo(
        f"Year {year}: {joined:,} campaign activities, {assessed:,} assessments; passed "
        + ", ".join(
            f"{kind} {passed[kind]:,}/{evaluated[kind]:,}" for kind in passed if evaluated[kind]
        )
    )
    recognised = approve_all(year, actor, public_base_url)
    return (
        f"Year {year} evaluated and {recognised:,} recognitions approved with certificate serials."
    )
