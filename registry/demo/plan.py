"""How big each demo is, and the administrative tree it lives in (province 34, Thái Bình)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from registry.demo import data
from registry.demo.bulk import BulkWriter
from registry.models import UnitLevel


@dataclass(frozen=True)
class Size:
    """The shape of one demo size; ranges are inclusive and drawn per unit."""

    name: str
    districts: tuple[str, ...]  # district codes, in data.DISTRICTS order when all
    communes_per_district: int | None  # None: every commune of the district
    villages: tuple[int, int]  # per commune
    households: tuple[int, int]  # per village, before ``scale``
    clan_min_households: int  # a lineage needs this many households in a commune to be a clan


ALL_DISTRICTS = tuple(code for code, *_rest in data.DISTRICTS)
SIZES = {
    # Vũ Thư with six communes: ≈ 2,500 households, ≈ 9,000 citizens, ≈ 120 clans
    "small": Size("small", ("344",), 6, (5, 8), (55, 85), 4),
    # the whole province: 242 communes, ≈ 2,000 villages, ≈ 530,000 households, ≈ 1.9 M people,
    # ≈ 15,000 clans
    "province": Size("province", ALL_DISTRICTS, None, (5, 12), (150, 375), 7),
}


@dataclass(frozen=True)
class Place:
    """A unit as the generators need it (no ORM object)."""

    id: int
    code: str
    name: str
    kind: str

    @property
    def display(self) -> str:
        """The name as lists write it ("Xã Tân Hòa"), like ``AdminUnit.display_name``."""
        return f"{self.kind[:1].upper()}{self.kind[1:]} {self.name}"


@dataclass
class Commune:
    """A commune with its district and villages."""

    place: Place
    district: Place
    villages: list[Place] = field(default_factory=list)


@dataclass
class Tree:
    """The province, and its districts with their communes in load order."""

    province: Place
    districts: list[tuple[Place, list[Commune]]]

    @property
    def first_commune(self) -> Commune:
        """The first commune of the smallest demo (Tân Hòa): the commune accounts work there."""
        return next(c for d, cs in self.districts if d.code == "344" for c in cs)


def build_tree(writer: BulkWriter, rng: random.Random, size: Size) -> Tree:
    """Queue the unit rows of ``size`` and return the tree."""
    province = _unit(writer, data.PROVINCE[0], data.PROVINCE[1], "tỉnh", UnitLevel.province, None)
    districts = []
    for code, name, kind, first_code, communes in data.DISTRICTS:
        if code not in size.districts:
            continue
        district = _unit(writer, code, name, kind, UnitLevel.district, province)
        chosen = communes[: size.communes_per_district]
        districts.append(
            (district, [_commune(writer, rng, size, district, first_code + 3 * index, kind_name)
                        for index, kind_name in enumerate(chosen)])
        )  # fmt: skip
    return Tree(province, districts)


def _commune(
    writer: BulkWriter, rng: random.Random, size: Size, district: Place, code: int,
    kind_name: tuple[str, str],
) -> Commune:  # fmt: skip
    kind, name = kind_name
    commune = Commune(_unit(writer, str(code), name, kind, UnitLevel.commune, district), district)
    count = rng.randint(*size.villages)
    if kind == "xã":
        names = [("thôn", village) for village in rng.sample(data.VILLAGE_NAMES, count)]
    else:  # wards and townships are divided into numbered residential groups
        names = [("tổ dân phố", f"số {number}") for number in range(1, count + 1)]
    for number, (village_kind, village_name) in enumerate(names, 1):
        village_code = f"{code}{number:02d}"
        commune.villages.append(
            _unit(writer, village_code, village_name, village_kind, UnitLevel.village,
                  commune.place)
        )  # fmt: skip
    return commune


def _unit(
    writer: BulkWriter, code: str, name: str, kind: str, level: UnitLevel, parent: Place | None
) -> Place:
    place = Place(writer.new_id("admin_units"), code, name, kind)
    writer.add("admin_units", {
        "id": place.id, "code": code, "name": name, "kind": kind, "level": level.value,
        "parent_id": parent.id if parent else None, "valid_from": None, "valid_to": None,
    })  # fmt: skip
    return place
