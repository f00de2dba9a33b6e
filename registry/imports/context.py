"""State shared by the steps of one import: the actor, what was looked up, what was created.

Lookups are prefetched set-wise (one query per 500 keys), never one query per row: a
100,000-row file must not cost 100,000 round trips.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, select

from registry import vn
from registry.errors import RegistryError
from registry.extensions import db
from registry.imports.report import ImportReport
from registry.imports.sheets import Row
from registry.models import ActivityCategory, AdminUnit, Citizen, Clan, Household, Role, User
from registry.units.services import subtree_ids

CHUNK = 500

# which service field a column feeds, for turning a service's field errors into columns
SERVICE_FIELDS = {
    "village_id": "village",
    "clan_id": "clan",
    "category_id": "category",
}


@dataclass(frozen=True)
class Person:
    """What later sheets need to know about a citizen of the file or of the registry."""

    id: int
    village_id: int
    full_name: str


@dataclass
class Context:
    """One import's actor, options, report and caches."""

    actor: User
    today: date
    report: ImportReport
    bulk_min: int
    editable: set[int] | None = None  # unit ids the actor may change; None: all (admin)
    units: dict[str, AdminUnit] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)
    citizens_by_code: dict[str, Citizen] = field(default_factory=dict)
    citizens_by_cccd: dict[str, Citizen] = field(default_factory=dict)
    created: dict[str, Person] = field(default_factory=dict)  # "cccd:…"/"code:…" → Person
    clans: dict[str, Clan] = field(default_factory=dict)
    clans_by_unit: dict[int, list[Clan]] = field(default_factory=dict)
    categories: dict[str, ActivityCategory] = field(default_factory=dict)
    household_keys: dict[str, int] = field(default_factory=dict)  # Khóa hộ → household id

    def __post_init__(self) -> None:
        if self.actor.role is not Role.admin:
            self.editable = set(db.session.scalars(subtree_ids(self.actor.unit_id)))

    def may_edit(self, unit_id: int) -> bool:
        """Whether the actor may change data of the unit (``in_scope`` for a known subtree)."""
        return self.editable is None or unit_id in self.editable

    def problem(self, sheet: str, row: Row | None, column: str, message: str) -> None:
        """Report a problem at a row (and column header) of a sheet."""
        self.report.problem(sheet, row.number if row else None, column, message)

    def service_error(
        self, sheet: Any, row: Row, error: RegistryError, aliases: Any = None
    ) -> None:
        """Report a service's refusal against the columns its field errors name."""
        aliases = {**SERVICE_FIELDS, **(aliases or {})}
        if not error.field_errors:
            self.problem(sheet.title, row, "", error.message)
            return
        for name, messages in error.field_errors.items():
            key = aliases.get(name, name)
            if key in row.invalid:
                continue  # the unreadable cell was reported already
            column = next((c.header for c in sheet.columns if c.key == key), "")
            for message in messages:
                self.problem(sheet.title, row, column, message)

    # --- prefetching ---------------------------------------------------------------------

    def load_units(self, codes: Iterable[str]) -> None:
        """Cache the administrative units with these codes."""
        wanted = sorted({c for c in codes if c not in self.units})
        for unit in _chunked(
            lambda part: select(AdminUnit).where(AdminUnit.code.in_(part)), wanted
        ):
            self.units[unit.code] = unit

    def load_households(self, codes: Iterable[str]) -> None:
        """Cache the households with these codes."""
        wanted = sorted({c for c in codes if c not in self.households})
        for household in _chunked(
            lambda part: select(Household).where(Household.code.in_(part)), wanted
        ):
            self.households[household.code] = household

    def load_citizens(self, codes: Iterable[str], cccds: Iterable[str]) -> None:
        """Cache the citizens with these codes and CCCD numbers."""
        wanted = sorted({c for c in codes if c not in self.citizens_by_code})
        for citizen in _chunked(lambda part: select(Citizen).where(Citizen.code.in_(part)), wanted):
            self._remember(citizen)
        wanted = sorted({c for c in cccds if c not in self.citizens_by_cccd})
        for citizen in _chunked(lambda part: select(Citizen).where(Citizen.cccd.in_(part)), wanted):
            self._remember(citizen)

    def _remember(self, citizen: Citizen) -> None:
        self.citizens_by_code[citizen.code] = citizen
        if citizen.cccd:
            self.citizens_by_cccd[citizen.cccd] = citizen

    def load_categories(self) -> None:
        """Cache the activity categories by folded code and folded Vietnamese name."""
        for category in db.session.scalars(select(ActivityCategory)):
            self.categories[vn.fold(category.code)] = category
            self.categories.setdefault(vn.fold(category.name_vi), category)

    def load_clans(self, unit_ids: Iterable[int], codes: Iterable[str] = ()) -> None:
        """Cache the clans registered in these units, and the clans with these codes."""
        units = sorted({u for u in unit_ids if u not in self.clans_by_unit})
        for unit_id in units:
            self.clans_by_unit[unit_id] = []
        for clan in _chunked(lambda part: select(Clan).where(Clan.unit_id.in_(part)), units):
            self._remember_clan(clan)
        wanted = sorted({c for c in codes if c not in self.clans})
        for clan in _chunked(lambda part: select(Clan).where(Clan.code.in_(part)), wanted):
            self._remember_clan(clan)

    def _remember_clan(self, clan: Clan) -> None:
        self.clans[clan.code] = clan
        bucket = self.clans_by_unit.get(clan.unit_id)
        if bucket is not None and clan not in bucket:
            bucket.append(clan)

    # --- references -----------------------------------------------------------------------

    def village(self, code: str) -> AdminUnit | None:
        """The village with ``code`` (already loaded), or None if no village has it."""
        unit = self.units.get(code)
        return unit if unit is not None and unit.level.value == "village" else None

    def find_clan(self, text: str, village: AdminUnit) -> Clan:
        """The clan named by code, or by name among the clans of the village's area.

        :raises ValueError: no such clan, or several clans with that name.
        """
        clan = self.clans.get(text.strip().upper())
        if clan is not None:
            return clan
        wanted = vn.fold(text)
        found = [
            c
            for unit in village.ancestors()
            for c in self.clans_by_unit.get(unit.id, [])
            if c.search_name == wanted
        ]
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(f"Có {len(found)} dòng họ tên “{text}” ở địa bàn; hãy ghi mã dòng họ.")
        raise ValueError(f"Không có dòng họ “{text}” ở địa bàn của công dân.")

    def person(self, row: Row, sheet: Any) -> Person | None:
        """The citizen a clan or activity row names by Mã công dân or Số CCCD (None: reported)."""
        code, cccd = row.get("citizen_code"), row.get("cccd")
        citizen: Citizen | None = None
        if code:
            code = code.upper()
            if (person := self.created.get("code:" + code)) is not None:
                return person
            citizen = self.citizens_by_code.get(code)
            column = sheet.header("citizen_code")
        elif cccd:
            if (person := self.created.get("cccd:" + cccd)) is not None:
                return person
            citizen = self.citizens_by_cccd.get(cccd)
            column = sheet.header("cccd")
        else:
            if not ({"citizen_code", "cccd"} & row.invalid):
                self.problem(sheet.title, row, "", "Hãy ghi Mã công dân hoặc Số CCCD.")
            return None
        if citizen is None or not self.may_edit(citizen.village_id):
            self.problem(
                sheet.title,
                row,
                column,
                "Không tìm thấy công dân này trong phạm vi quản lý của bạn.",
            )
            return None
        return Person(citizen.id, citizen.village_id, citizen.full_name)


def _chunked(make: Callable[[list[Any]], Select[Any]], values: Sequence[Any]) -> Iterator[Any]:
    for start in range(0, len(values), CHUNK):
        yield from db.session.scalars(make(list(values[start : start + CHUNK])))
