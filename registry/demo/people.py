"""One commune at a time: clans, households, citizens, organisations and their staff."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from sqlalchemy import update

from registry import vn
from registry.demo import data
from registry.demo.activities import ActivityMaker
from registry.demo.bulk import BulkWriter
from registry.demo.families import FamilyMaker, Lineage, Person
from registry.demo.names import NameKeys, NameMaker
from registry.demo.plan import Commune, Place, Size
from registry.extensions import db
from registry.models import Citizen, Household
from registry.models.people import Relation

# Citizen codes "CD" + 10 digits from the row id through a bijection of 0..10^10-1: unique
# without a query per row, and not in id order. The multiplier is coprime with 10^10.
_CODE_MULTIPLIER, _CODE_OFFSET, _CODE_SPACE = 3_456_789_013, 1_234_567_891, 10**10
# CCCD: "034" (Thái Bình), a sex/century digit, two digits of the birth year, six serial digits;
# serials come from a counter per prefix through a bijection of 0..999,999, so they are unique.
_SERIAL_MULTIPLIER, _SERIAL_SPACE = 7_919, 10**6
_PHONE_PREFIXES = ("09", "08", "03", "07", "05")


class CommuneLoader:
    """Generates and queues everything that lives in a commune (activities included)."""

    def __init__(
        self, rng: random.Random, writer: BulkWriter, size: Size, scale: float,
        activities: ActivityMaker, today: date,
    ) -> None:  # fmt: skip
        self.rng, self.writer, self.size, self.scale, self.today = rng, writer, size, scale, today
        self.names = NameMaker(rng)
        self.families = FamilyMaker(rng, self.names, today)
        self.activities = activities
        self.keys = NameKeys()
        self._cccd_serials: Counter[str] = Counter()
        self._left_from = date(today.year - 1, 1, 1).toordinal()

    def load(self, commune: Commune) -> None:
        """Queue the commune's rows."""
        self.names.settle_in()
        low, high = self.size.households
        households = [
            (village, *self.families.household())
            for village in commune.villages
            for _n in range(max(1, round(self.rng.randint(low, high) * self.scale)))
        ]
        clans = self._clans(commune.place, [lineage for _v, _m, lineage in households])
        staff_pool: list[Person] = []
        numbers: Counter[int] = Counter()
        for village, members, lineage in households:
            if numbers[village.id] == 0:
                self.activities.use_village(village, commune.place, commune.district)
            numbers[village.id] += 1
            household_id = self._household(commune, village, numbers[village.id])
            for person in members:
                self._citizen(person, village, household_id, clans.get(lineage), lineage)
                if person.status == "active" and 22 <= self.today.year - person.birth.year <= 60:
                    staff_pool.append(person)
        self._organisations(commune.place, staff_pool)

    def _clans(self, unit: Place, lineages: list[Lineage]) -> dict[Lineage, int]:
        """Lineages with enough households in the commune become clans ("Họ Nguyễn Văn")."""
        least = max(2, round(self.size.clan_min_households * min(1.0, self.scale * 10)))
        clans = {}
        for (family, middle), count in sorted(Counter(lineages).items(), key=_most_first):
            if count < least:
                break
            clan_id = self.writer.new_id("clans")
            name = f"Họ {family} {middle}"
            self.writer.add("clans", {
                "id": clan_id, "code": f"DH{clan_id:08d}", "name": name,
                "search_name": vn.fold(name), "unit_id": unit.id, "note": "",
            })  # fmt: skip
            clans[(family, middle)] = clan_id
        return clans

    def _household(self, commune: Commune, village: Place, number: int) -> int:
        household_id = self.writer.new_id("households")
        address = f"{village.display}, {commune.place.kind} {commune.place.name}, " + (
            f"{commune.district.kind} {commune.district.name}, tỉnh {data.PROVINCE[1]}"
        )
        self.writer.add("households", {
            "id": household_id, "code": f"HGD{village.code}-{number:06d}",
            "village_id": village.id, "head_id": None, "address": address,
        })  # fmt: skip
        return household_id

    def _citizen(
        self, person: Person, village: Place, household_id: int, clan_id: int | None,
        lineage: Lineage,
    ) -> None:  # fmt: skip
        """Queue one citizen (clan members are those bearing the lineage's family name)."""
        person.id = self.writer.new_id("citizens")
        self._maybe_left(person)
        full_name, sort_key, search_name = self.keys(person.family, person.middle, person.given)
        age = self.today.year - person.birth.year
        self.writer.add("citizens", {
            "id": person.id, "code": _citizen_code(person.id), "full_name": full_name,
            "family_name": person.family, "middle_name": person.middle,
            "given_name": person.given, "sort_key": sort_key, "search_name": search_name,
            "gender": person.gender, "birth_date": person.birth,
            "cccd": self._cccd(person) if age >= 14 and self.rng.random() < 0.8 else None,
            "phone": self._phone() if 18 <= age <= 70 and self.rng.random() < 0.6 else None,
            "village_id": village.id, "household_id": household_id,
            "relation": person.relation,
            "clan_id": clan_id if person.family == lineage[0] else None,
            "status": person.status, "left_on": person.left_on,
        })  # fmt: skip
        self.activities.add_for(person)

    def _maybe_left(self, person: Person) -> None:
        """A few grown children moved away and a few old people died in the last two years."""
        age, rng = self.today.year - person.birth.year, self.rng
        if person.relation == "child" and 18 <= age <= 35 and rng.random() < 0.06:
            person.status = "moved"
        elif person.relation != "head" and age >= 70 and rng.random() < 0.05:
            person.status = "deceased"
        else:
            return
        first = max(self._left_from, person.birth.toordinal() + 1)
        person.left_on = date.fromordinal(rng.randint(first, self.today.toordinal()))

    def _cccd(self, person: Person) -> str:
        born = person.birth.year
        prefix = f"034{(person.gender == 'F') + (2 if born >= 2000 else 0)}{born % 100:02d}"
        count = self._cccd_serials[prefix]
        self._cccd_serials[prefix] = count + 1
        start = int(prefix) % _SERIAL_SPACE  # each prefix's sequence begins elsewhere
        return f"{prefix}{((count + start) * _SERIAL_MULTIPLIER) % _SERIAL_SPACE:06d}"

    def _phone(self) -> str:
        prefix = _PHONE_PREFIXES[int(self.rng.random() * len(_PHONE_PREFIXES))]
        return f"{prefix}{self.rng.randrange(10**8):08d}"

    def _organisations(self, unit: Place, pool: list[Person]) -> None:
        """The commune's People's Committee, schools, health station and a business or two."""
        for pattern, kind, (low, high) in data.ORGANISATIONS:
            if kind == "enterprise" and self.rng.random() < 0.4:
                continue
            organisation_id = self.writer.new_id("organisations")
            name = pattern.format(c=f"{unit.kind} {unit.name}", n=unit.name)
            self.writer.add("organisations", {
                "id": organisation_id, "code": f"DV{organisation_id:08d}", "name": name,
                "search_name": vn.fold(name), "kind": kind, "unit_id": unit.id,
            })  # fmt: skip
            staff = self.rng.sample(pool, min(len(pool), self.rng.randint(low, high)))
            for person in staff:
                self.writer.add("organisation_members", {
                    "id": self.writer.new_id("organisation_members"),
                    "organisation_id": organisation_id, "citizen_id": person.id, "role": "staff",
                })  # fmt: skip


def link_household_heads() -> None:
    """Point every household at its head: households were written before their members."""
    db.session.execute(
        update(Household)
        .where(Citizen.household_id == Household.id, Citizen.relation == Relation.head)
        .values(head_id=Citizen.id, updated_at=Household.updated_at)
        .execution_options(synchronize_session=False)
    )


def _citizen_code(citizen_id: int) -> str:
    return f"CD{(citizen_id * _CODE_MULTIPLIER + _CODE_OFFSET) % _CODE_SPACE:010d}"


def _most_first(item: tuple[Lineage, int]) -> tuple[int, Lineage]:
    return (-item[1], item[0])
