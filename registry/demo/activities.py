"""Two years of learning activities per citizen: school years, classes, campaigns, reading.

Each person gets an activity level once (none, low, moderate or very active), so the same people
are active in both years; children of school age also get one school year per calendar year.
Nothing is dated after today, nor after the day a citizen moved away or died.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from registry.demo import data
from registry.demo.bulk import BulkWriter
from registry.demo.families import Person
from registry.demo.names import Pick
from registry.demo.plan import Place

#: title, provider, fewest hours, most hours, date rule (see data.CATALOGUE)
Entry = tuple[str, str, float, float, str]

_PER_YEAR = {0: (0, 0), 1: (0, 2), 2: (2, 4), 3: (5, 10)}  # activities a year by level
_LEVELS = {  # by age today: under 15, 15–17, 18–69, 70 and over
    "child": Pick([(0, 70), (1, 30)]),
    "teen": Pick([(0, 50), (1, 35), (2, 15)]),
    "adult": Pick([(0, 32), (1, 38), (2, 23), (3, 7)]),
    "elder": Pick([(0, 55), (1, 30), (2, 13), (3, 2)]),
}
_CATEGORIES = Pick([
    ("tthtcd", 28), ("campaign", 16), ("self_study", 18), ("online", 12), ("vocational", 6),
    ("formal", 3), ("other", 17),
])  # fmt: skip
_CHILD_CATEGORIES = Pick([("campaign", 40), ("self_study", 45), ("other", 15)])
_NOT_FOR_ELDERS = frozenset({"vocational", "formal", "online"})


class ActivityMaker:
    """Queues the activities of one person at a time, in the current village's words."""

    def __init__(
        self, rng: random.Random, writer: BulkWriter, category_ids: dict[str, int], today: date
    ) -> None:
        self.rng, self.writer, self.today = rng, writer, today
        self.category_ids = category_ids
        self.years = (today.year - 1, today.year)
        self._first_day = {year: date(year, 1, 1).toordinal() for year in self.years}
        self._catalogue: dict[int, dict[str, list[Entry]]] = {}
        self._any_day: dict[int, dict[str, list[Entry]]] = {}
        self._schools: tuple[str, str, str] = ("", "", "")

    def use_village(self, village: Place, commune: Place, district: Place) -> None:
        """Render titles and providers for the village whose people come next."""
        words = {"v": _lower(village), "c": _lower(commune), "d": _lower(district)}
        for year in self.years:
            rendered = {
                code: [
                    (title.format(y=year, **words), provider.format(y=year, **words), lo, hi, rule)
                    for title, provider, (lo, hi), rule in entries
                ]
                for code, entries in data.CATALOGUE.items()
            }
            self._catalogue[year] = rendered
            self._any_day[year] = {
                code: [entry for entry in entries if entry[4] == data.ANY]
                for code, entries in rendered.items()
            }
        self._schools = (
            f"Trường Tiểu học {commune.name}",
            f"Trường THCS {commune.name}",
            f"Trường THPT {district.name}",
        )

    def add_for(self, person: Person) -> None:
        """Queue the person's activities of both years."""
        rng, age = self.rng, self.today.year - person.birth.year
        if age < 6:
            return
        level = _LEVELS[_age_group(age)](rng)
        student = 18 <= age <= 22 and rng.random() < 0.35
        for year in self.years:
            end = min(date(year, 12, 31), self.today, person.left_on or self.today)
            if end.year < year:
                continue
            age_then = year - person.birth.year
            if 6 <= age_then <= 17 or (student and age_then >= 18):
                self._school_year(person, year, age_then, end)
            for _n in range(rng.randint(*_PER_YEAR[level])):
                self._activity(person, year, age_then, end)

    def _school_year(self, person: Person, year: int, age: int, end: date) -> None:
        start = date(year, 9, 5)
        if start > end:
            return
        if age <= 17:
            grade = age - 5
            provider = self._schools[0 if grade <= 5 else 1 if grade <= 9 else 2]
            title, hours = f"Học lớp {grade}, năm học {year}–{year + 1}", 700 + 10 * (grade % 9)
        else:
            provider = data.UNIVERSITIES[person.id % len(data.UNIVERSITIES)]
            title, hours = f"Sinh viên năm {min(age - 17, 4)}, năm học {year}–{year + 1}", 900
        ended = date(year + 1, 5, 31)
        self._queue(person, "formal", (title, provider, hours, hours, data.SEP), start,
                    ended if ended <= self.today else None)  # fmt: skip

    def _activity(self, person: Person, year: int, age: int, end: date) -> None:
        rng = self.rng
        code = _CHILD_CATEGORIES(rng) if age < 15 else _CATEGORIES(rng)
        if age >= 60 and code in _NOT_FOR_ELDERS:
            code = "tthtcd"
        entries = self._catalogue[year][code]
        entry = entries[int(rng.random() * len(entries))]
        held = _fixed_day(entry[4], year, rng)
        if held is None or held > end:
            entries = self._any_day[year][code]
            entry = entries[int(rng.random() * len(entries))]
            start = self._first_day[year]
            held = date.fromordinal(start + int(rng.random() * (end.toordinal() - start + 1)))
        ended = None
        if code in ("vocational", "formal"):
            ended = held + timedelta(days=rng.randint(45, 240))
            ended = ended if ended <= self.today else None
        self._queue(person, code, entry, held, ended)

    def _queue(
        self, person: Person, code: str, entry: Entry, held: date, ended: date | None
    ) -> None:
        title, provider, lo, hi, _rule = entry
        hours = self.rng.uniform(lo, hi)
        hours = round(hours * 2) / 2 if hi < 20 else float(round(hours))  # half hours when short
        self.writer.add("activities", {
            "id": self.writer.new_id("activities"), "citizen_id": person.id,
            "category_id": self.category_ids[code], "title": title, "provider": provider,
            "held_on": held, "ended_on": ended, "hours": hours,
            "evidence": "Đã cấp chứng chỉ" if ended and code == "vocational" else "",
            "created_by_id": None,
        })  # fmt: skip


def _age_group(age: int) -> str:
    if age < 15:
        return "child"
    if age < 18:
        return "teen"
    return "adult" if age < 70 else "elder"


def _fixed_day(rule: str, year: int, rng: random.Random) -> date | None:
    """The day an event with a fixed date is held, or None for "any day"."""
    if rule == data.OCT:
        return date(year, 10, rng.randint(1, 7))
    if rule == data.APR21:
        return date(year, 4, 21)
    if rule == data.SEP:
        return date(year, 9, 5)
    return None


def _lower(place: Place) -> str:
    """The unit as written inside a sentence: "xã Tân Hòa", "thôn Đông"."""
    return f"{place.kind} {place.name}"
