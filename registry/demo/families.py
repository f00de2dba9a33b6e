"""Who lives together: one household at a time, with names, sexes and birth dates that fit."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from registry.demo.names import NameMaker, Pick

#: a household's lineage: the family name and middle name its men pass on ("Nguyễn", "Văn")
Lineage = tuple[str, str]


class Person:
    """A citizen before it becomes a row; ``id`` and ``clan_id`` are filled in when queued."""

    __slots__ = (
        "birth", "clan_id", "family", "gender", "given", "id", "left_on", "middle", "relation",
        "status",
    )  # fmt: skip

    def __init__(
        self, family: str, middle: str, given: str, gender: str, birth: date, relation: str
    ) -> None:
        self.family, self.middle, self.given = family, middle, given
        self.gender, self.birth, self.relation = gender, birth, relation
        self.id = 0
        self.clan_id: int | None = None
        self.status = "active"
        self.left_on: date | None = None


class FamilyMaker:
    """Draws households: couples with children, three generations, elderly people, lone mothers."""

    def __init__(self, rng: random.Random, names: NameMaker, today: date) -> None:
        self.rng, self.names, self.today = rng, names, today
        self._years: dict[int, tuple[int, int]] = {}  # year → (first day's ordinal, days so far)
        self._children_count = Pick([(0, 6), (1, 22), (2, 46), (3, 21), (4, 5)])
        self._shapes: Pick[Callable[[], tuple[list[Person], Lineage]]] = Pick([
            (self._couple, 50), (self._with_parents, 14), (self._with_grandchildren, 13),
            (self._elderly, 13), (self._lone_mother, 10),
        ])  # fmt: skip

    def household(self) -> tuple[list[Person], Lineage]:
        """The members (head first) and the household's lineage."""
        return self._shapes(self.rng)()

    # --- shapes -------------------------------------------------------------------------------

    def _couple(self, youngest: int = 24, oldest: int = 62) -> tuple[list[Person], Lineage]:
        head = self._man(self._born(youngest, oldest), self.names.local_family(), "", "head")
        wife = self._wife(head.birth.year, "spouse")
        members = [head, wife, *self._children(head, wife.birth.year, "child")]
        if self.rng.random() < 0.04:  # an unmarried brother living with the family
            born = head.birth.year + self.rng.randint(-8, 10)
            members.append(self._man(min(born, self.today.year - 18), head.family, "", "sibling"))
        return members, (head.family, head.middle)

    def _with_parents(self) -> tuple[list[Person], Lineage]:
        members, lineage = self._couple(28, 48)
        head, rng = members[0], self.rng
        father_born = head.birth.year - rng.randint(24, 34)
        has_father = rng.random() < 0.7
        if has_father:
            members.append(self._man(father_born, head.family, head.middle, "parent"))
        if not has_father or rng.random() < 0.85:  # at least one parent lives with them
            members.append(self._wife(father_born, "parent"))
        return members, lineage

    def _with_grandchildren(self) -> tuple[list[Person], Lineage]:
        head = self._man(self._born(56, 76), self.names.local_family(), "", "head")
        members = [head]
        if self.rng.random() < 0.85:
            members.append(self._wife(head.birth.year, "spouse"))
        son_born = head.birth.year + self.rng.randint(23, 33)
        son = self._man(son_born, head.family, head.middle, "child")
        daughter_in_law = self._wife(son_born, "other")
        grandchildren = self._children(son, daughter_in_law.birth.year, "grandchild")
        members += [son, daughter_in_law, *grandchildren]
        return members, (head.family, head.middle)

    def _elderly(self) -> tuple[list[Person], Lineage]:
        born = self._born(65, 92)
        if self.rng.random() < 0.45:  # a widow living alone: her late husband's lineage
            widow = self._wife(born, "head")
            return [widow], (self.names.local_family(), self.names.middle("M", born))
        head = self._man(born, self.names.local_family(), "", "head")
        members = [head]
        if self.rng.random() < 0.6:
            members.append(self._wife(born, "spouse"))
        return members, (head.family, head.middle)

    def _lone_mother(self) -> tuple[list[Person], Lineage]:
        mother = self._wife(self._born(30, 60) - 3, "head")
        father = self._man(mother.birth.year - 3, self.names.local_family(), "", "absent")
        return [mother, *self._children(father, mother.birth.year, "child")], (
            father.family,
            father.middle,
        )

    # --- people -------------------------------------------------------------------------------

    def _man(self, born: int, family: str, lineage: str, relation: str) -> Person:
        names, rng = self.names, self.rng
        middle = lineage if lineage and rng.random() < 0.6 else names.middle("M", born)
        return Person(family, middle, names.given("M", born), "M", self._date(born), relation)

    def _wife(self, husband_born: int, relation: str) -> Person:
        born = min(husband_born + self.rng.randint(-2, 6), self.today.year - 18)
        names = self.names
        return Person(
            names.any_family(), names.middle("F", born), names.given("F", born), "F",
            self._date(born), relation,
        )  # fmt: skip

    def _children(self, father: Person, mother_born: int, relation: str) -> list[Person]:
        rng, names, kids = self.rng, self.names, []
        count = self._children_count(rng)
        for born in sorted(mother_born + rng.randint(20, 38) for _n in range(count)):
            age = self.today.year - born
            if age < 0 or (age > 28 and rng.random() < 0.8):  # not born yet, or moved out
                continue
            if rng.random() < 0.51:
                kids.append(self._man(born, father.family, father.middle, relation))
            else:
                given = names.given("F", born)
                kids.append(Person(father.family, names.middle("F", born), given, "F",
                                   self._date(born), relation))  # fmt: skip
        return kids

    def _born(self, youngest: int, oldest: int) -> int:
        return self.today.year - self.rng.randint(youngest, oldest)

    def _date(self, year: int) -> date:
        span = self._years.get(year)
        if span is None:
            start = date(year, 1, 1).toordinal()
            last = min(date(year, 12, 31), self.today).toordinal()
            span = self._years[year] = (start, last - start + 1)
        return date.fromordinal(span[0] + self.rng.randrange(span[1]))
