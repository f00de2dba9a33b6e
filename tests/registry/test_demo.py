"""The demo data: ``seed-demo --size small`` on the test database, and a tiny province."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import aliased

from registry import demo, vn
from registry.auth.services import authenticate
from registry.demo import data
from registry.extensions import db
from registry.models import (
    Activity,
    ActivityCategory,
    AdminUnit,
    Citizen,
    Clan,
    Household,
    Organisation,
    OrganisationMember,
    UnitLevel,
    User,
)

TODAY = date.today()  # noqa: DTZ011 - the demo dates its activities by the server's day


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def wipe() -> None:
    """Empty every table the demo fills (the categories stay)."""
    db.session.execute(update(Household).values(head_id=None))
    for table in reversed(db.metadata.sorted_tables):
        if table.name != "activity_categories":
            db.session.execute(table.delete())
    db.session.commit()


def test_small_demo_is_a_consistent_district(runner: Any):
    """One seed (a few seconds), then every check on it."""
    result = runner.invoke(args=["seed-demo", "--size", "small"])
    assert result.exit_code == 0, result.output
    check_counts_and_logins(result.output)
    check_people()
    check_groups()
    check_activities()
    check_seeding_again(runner)


def check_counts_and_logins(small: str) -> None:
    levels = Counter(db.session.scalars(select(AdminUnit.level)))
    assert levels[UnitLevel.province] == 1
    assert levels[UnitLevel.district] == 1
    assert 4 <= levels[UnitLevel.commune] <= 6
    assert 4 * levels[UnitLevel.commune] <= levels[UnitLevel.village] <= 8 * 6
    assert 8_000 <= count(Citizen) <= 15_000
    assert 40 * levels[UnitLevel.village] <= count(Household) <= 80 * levels[UnitLevel.village]
    assert 3 * levels[UnitLevel.commune] <= count(Clan)
    assert 3 * levels[UnitLevel.commune] <= count(Organisation)
    assert count(Citizen) <= count(Activity) <= 8 * count(Citizen)  # year-end adds some
    for username, role, unit_code in (
        ("admin", "admin", "34"),
        ("tinh", "province", "34"),
        ("huyen", "district", "344"),
        ("xa", "commune", "12865"),
        ("xem", "viewer", "12865"),
    ):
        user = authenticate(username, demo.DEMO_PASSWORD)
        assert user is not None, username
        assert (user.role.value, user.unit.code) == (role, unit_code)
        assert f"  {username} " in small
    assert "demo1234" in small


def check_people() -> None:
    heads = aliased(Citizen)
    headless = select(func.count()).select_from(Household).outerjoin(heads, Household.head)
    assert db.session.scalar(headless.where(heads.id.is_(None))) == 0
    assert db.session.scalar(headless.where(heads.household_id != Household.id)) == 0
    elsewhere = select(func.count()).select_from(Citizen).join(Citizen.household)
    assert db.session.scalar(elsewhere.where(Household.village_id != Citizen.village_id)) == 0
    assert db.session.scalar(select(func.count()).where(Citizen.household_id.is_(None))) == 0
    rows = db.session.execute(
        select(Citizen.full_name, Citizen.sort_key, Citizen.search_name, Citizen.middle_name,
               Citizen.gender, Citizen.cccd, Citizen.status, Citizen.left_on)
    ).all()  # fmt: skip
    for name, key, search, middle, gender, _cccd, status, left_on in rows:
        assert key == vn.sort_key(name)
        assert search == vn.fold(name)
        assert "Thị" not in middle.split() or gender == "F"
        assert "Văn" not in middle.split() or gender == "M"
        assert (status.value == "active") == (left_on is None)
    cccds = [row.cccd for row in rows if row.cccd is not None]
    assert len(cccds) > len(rows) / 2
    assert len(set(cccds)) == len(cccds)
    assert all(len(c) == 12 and c.isdigit() and c.startswith("034") for c in cccds)
    left = Counter(row.status.value for row in rows)
    assert 0 < left["moved"] + left["deceased"] < len(rows) / 20


def check_groups() -> None:
    clan_members = db.session.execute(
        select(Clan.name, Citizen.family_name).join(Citizen, Citizen.clan_id == Clan.id)
    ).all()
    assert len(clan_members) > count(Citizen) / 4
    assert all(clan.split()[1] == family for clan, family in clan_members)
    village = aliased(AdminUnit)
    strays = (
        select(func.count())
        .select_from(OrganisationMember)
        .join(OrganisationMember.organisation)
        .join(OrganisationMember.citizen)
        .join(village, Citizen.village_id == village.id)
        .where(village.parent_id != Organisation.unit_id)
    )
    assert db.session.scalar(strays) == 0
    assert count(OrganisationMember) >= 5 * count(Organisation)


def check_activities() -> None:
    held = select(func.min(Activity.held_on), func.max(Activity.held_on))
    first, last = db.session.execute(held).one()
    assert first >= date(TODAY.year - 1, 1, 1)
    assert last <= TODAY
    latest_end = db.session.scalar(select(func.max(Activity.ended_on)))
    assert latest_end is None or latest_end <= TODAY
    for year in (TODAY.year - 1, TODAY.year):
        in_year = Activity.held_on.between(date(year, 1, 1), date(year, 12, 31))
        assert db.session.scalar(select(func.count()).where(in_year)) > 0, year
    used = set(db.session.scalars(select(ActivityCategory.code).join(Activity).distinct()))
    assert used == {"tthtcd", "vocational", "formal", "online", "self_study", "campaign", "other"}
    early_leavers = (
        select(func.count())
        .select_from(Activity)
        .join(Activity.citizen)
        .where(Citizen.left_on.is_not(None), Activity.held_on > Citizen.left_on)
    )
    assert db.session.scalar(early_leavers) == 0
    per_citizen = Counter(db.session.scalars(select(Activity.citizen_id)))
    assert count(Citizen) - len(per_citizen) > count(Citizen) / 10  # some do nothing
    assert max(per_citizen.values()) >= 10  # and some are very active


def check_seeding_again(runner: Any) -> None:
    before = (count(Citizen), count(Activity), count(User))
    refused = runner.invoke(args=["seed-demo", "--size", "small"])
    assert refused.exit_code == 1
    assert "already has" in refused.output
    assert isinstance(refused.exception, SystemExit)  # a clean message, not a traceback
    skipped = runner.invoke(args=["seed-demo", "--size", "small", "--if-empty"])
    assert skipped.exit_code == 0, skipped.output
    assert skipped.output.strip() == demo.ALREADY_PRESENT
    assert (count(Citizen), count(Activity), count(User)) == before


def test_same_seed_gives_same_people(app: Flask):
    def names(seed: int) -> list[str]:
        demo.seed("small", seed, echo=lambda _line: None, scale=0.05)
        db.session.commit()
        loaded = list(db.session.scalars(select(Citizen.full_name).order_by(Citizen.id)))
        wipe()
        return loaded

    first = names(5)
    assert len(first) > 150
    assert names(5) == first
    assert names(6)[:50] != first[:50]


def test_province_shape_at_tiny_scale_uses_the_bulk_path(app: Flask):
    created: Counter[str] = Counter()

    def constructed(target: Any, _args: Any, _kwargs: Any) -> None:
        created[type(target).__name__] += 1

    lines: list[str] = []
    for model in (Citizen, Activity, Household):
        event.listen(model, "init", constructed)
    try:
        summary = demo.seed("province", 11, echo=lines.append, scale=0.002)
    finally:
        for model in (Citizen, Activity, Household):
            event.remove(model, "init", constructed)
    db.session.commit()
    assert not created  # rows, never ORM objects one by one
    assert "batched" in summary
    assert [line.split(" (")[0] for line in lines] == [f"districts {n}/8" for n in range(1, 9)]
    districts = db.session.scalars(
        select(AdminUnit).where(AdminUnit.level == UnitLevel.district).order_by(AdminUnit.code)
    ).all()
    assert [d.code for d in districts] == ["336", "338", "339", "340", "341", "342", "343", "344"]
    expected = {code: len(communes) for code, _n, _k, _first, communes in data.DISTRICTS}
    assert {d.code: len(d.children) for d in districts} == expected
    assert 230 <= sum(expected.values()) <= 260
    assert count(Household) >= db.session.scalar(
        select(func.count()).where(AdminUnit.level == UnitLevel.village)
    )
    assert authenticate("xa", demo.DEMO_PASSWORD).unit.name == "Tân Hòa"  # type: ignore[union-attr]
