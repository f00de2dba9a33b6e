"""The import template's layout: its sheets, Vietnamese headers and the labels of coded values.

One layout serves three purposes: reading an import, writing the empty template, and exporting
the lists in the same columns, so that an exported list imports back without changing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from registry import vn
from registry.models.people import CitizenStatus, Relation

INSTRUCTIONS_TITLE = "Hướng dẫn"


@dataclass(frozen=True)
class Column:
    """One column: ``kind`` says how cells are read (text, code, cccd, phone, date, number)."""

    key: str
    header: str
    kind: str = "text"
    width: int = 16
    note: str = ""
    info: bool = False  # written by exports for reading; ignored on import


@dataclass(frozen=True)
class SheetLayout:
    """One sheet of the template."""

    key: str
    title: str
    note: str
    columns: tuple[Column, ...]
    by_header: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_header", {vn.fold(c.header): c for c in self.columns})

    def column(self, key: str) -> Column:
        """The column with ``key``."""
        return next(c for c in self.columns if c.key == key)

    def header(self, key: str) -> str:
        """The Vietnamese header of the column with ``key``."""
        return self.column(key).header


_CITIZEN_CODE = Column(
    "citizen_code", "Mã công dân", "code", 16, "Mã công dân đã có trong sổ (in trên phiếu)."
)
_CITIZEN_CCCD = Column(
    "cccd", "Số CCCD", "cccd", 15, "Dùng khi không có mã công dân (ví dụ người mới thêm)."
)
_CITIZEN_NAME = Column("full_name", "Họ và tên", width=26, info=True)

HOUSEHOLDS = SheetLayout(
    "households",
    "Hộ gia đình",
    "Mỗi dòng một hộ. Hộ đã có: ghi Mã hộ. Hộ mới: để trống Mã hộ, ghi Khóa hộ và Mã thôn.",
    (
        Column("code", "Mã hộ", "code", 20, "Mã hộ đã có trong sổ; để trống khi thêm hộ mới."),
        Column(
            "key",
            "Khóa hộ",
            "code",
            12,
            "Tên tạm do bạn đặt (ví dụ H1) để ghép các công dân của một hộ mới trong cùng tệp.",
        ),
        Column("village", "Mã thôn", "code", 12, "Mã thôn/tổ dân phố; bắt buộc với hộ mới."),
        Column("address", "Địa chỉ", width=36, note="Không bắt buộc."),
        Column("village_name", "Tên thôn", width=20, info=True),
        Column("head_name", "Chủ hộ", width=26, info=True),
        Column("members", "Số thành viên", "number", 14, info=True),
    ),
)

CITIZENS = SheetLayout(
    "citizens",
    "Công dân",
    "Mỗi dòng một người. Người đã có trong sổ được nhận ra theo Mã công dân, nếu không có thì "
    "theo Số CCCD, nếu không có nữa thì theo họ tên, ngày sinh và thôn.",
    (
        Column(
            "citizen_code", "Mã công dân", "code", 16, "Để trống khi thêm người mới; ghi mã để sửa."
        ),
        Column("full_name", "Họ và tên", width=26, note="Bắt buộc với người mới."),
        Column("gender", "Giới tính", width=10, note="Nam hoặc Nữ."),
        Column("birth_date", "Ngày sinh", "date", 12, "dd/mm/yyyy, ví dụ 05/03/1980."),
        Column("cccd", "Số CCCD", "cccd", 15, "12 chữ số; không bắt buộc."),
        Column("phone", "Điện thoại", "phone", 13, "10 chữ số; không bắt buộc."),
        Column("village", "Mã thôn", "code", 12, "Mã thôn/tổ dân phố nơi cư trú."),
        Column("household_code", "Mã hộ", "code", 20, "Mã hộ đã có trong sổ."),
        Column("household_key", "Khóa hộ", "code", 12, "Hoặc Khóa hộ của hộ mới trong tệp này."),
        Column(
            "relation",
            "Quan hệ với chủ hộ",
            width=18,
            note="Chủ hộ, Vợ/chồng, Con, Bố/mẹ, Cháu, Anh/chị/em hoặc Khác.",
        ),
        Column("clan", "Dòng họ", "code", 16, "Mã dòng họ hoặc tên dòng họ ở địa bàn."),
        Column(
            "status", "Tình trạng", width=14, note="Đang cư trú (mặc định), Đã chuyển đi, Đã mất."
        ),
        Column("left_on", "Ngày chuyển đi/mất", "date", 14, "Bắt buộc khi đã chuyển đi hoặc mất."),
        Column("village_name", "Tên thôn", width=20, info=True),
    ),
)

CLAN_MEMBERS = SheetLayout(
    "clan_members",
    "Thành viên dòng họ",
    "Mỗi dòng ghi một công dân vào một dòng họ (một người thuộc nhiều nhất một dòng họ).",
    (
        _CITIZEN_CODE,
        _CITIZEN_CCCD,
        Column("clan", "Dòng họ", "code", 16, "Mã dòng họ hoặc tên dòng họ ở địa bàn."),
        _CITIZEN_NAME,
    ),
)

ACTIVITIES = SheetLayout(
    "activities",
    "Hoạt động học tập",
    "Mỗi dòng một hoạt động của một công dân. Một hoạt động trùng công dân, ngày, nội dung và "
    "loại với hoạt động đã có thì được cập nhật, không thêm lần nữa.",
    (
        _CITIZEN_CODE,
        _CITIZEN_CCCD,
        Column("category", "Loại hoạt động", width=24, note="Mã hoặc tên loại (xem bảng dưới)."),
        Column("title", "Nội dung", width=36, note="Bắt buộc."),
        Column("provider", "Đơn vị tổ chức", width=24, note="Không bắt buộc."),
        Column("held_on", "Ngày", "date", 12, "Ngày học (dd/mm/yyyy); bắt buộc."),
        Column("ended_on", "Ngày kết thúc", "date", 13, "Không bắt buộc."),
        Column("hours", "Số giờ", "number", 9, "Lớn hơn 0, tối đa 2.000."),
        Column("evidence", "Minh chứng", width=30, note="Giấy chứng nhận, danh sách lớp..."),
        _CITIZEN_NAME,
    ),
)

SHEETS: tuple[SheetLayout, ...] = (HOUSEHOLDS, CITIZENS, CLAN_MEMBERS, ACTIVITIES)
BY_TITLE = {vn.fold(s.title): s for s in SHEETS}

GENDER_LABELS = {"M": "Nam", "F": "Nữ"}
RELATION_LABELS = {
    Relation.head: "Chủ hộ",
    Relation.spouse: "Vợ/chồng",
    Relation.child: "Con",
    Relation.parent: "Bố/mẹ",
    Relation.grandchild: "Cháu",
    Relation.sibling: "Anh/chị/em",
    Relation.other: "Khác",
}
STATUS_LABELS = {
    CitizenStatus.active: "Đang cư trú",
    CitizenStatus.moved: "Đã chuyển đi",
    CitizenStatus.deceased: "Đã mất",
}


def _lookup(labels: Mapping[Any, str]) -> dict[str, str]:
    table = {vn.fold(label): str(value) for value, label in labels.items()}
    table.update({vn.fold(str(value)): str(value) for value in labels})
    return table


_GENDERS = _lookup(GENDER_LABELS)
_RELATIONS = _lookup(RELATION_LABELS)
_STATUSES = _lookup(STATUS_LABELS)


def parse_gender(text: str) -> str:
    """ "Nam"/"Nữ" (or "M"/"F") → "M"/"F"; ValueError with a Vietnamese message otherwise."""
    try:
        return _GENDERS[vn.fold(text)]
    except KeyError:
        raise ValueError("Giới tính phải là Nam hoặc Nữ.") from None


def parse_relation(text: str) -> str:
    """A relation label ("Chủ hộ", "Con", ...) or value → the Relation value."""
    try:
        return _RELATIONS[vn.fold(text)]
    except KeyError:
        allowed = ", ".join(RELATION_LABELS.values())
        raise ValueError(f"Quan hệ với chủ hộ phải là một trong: {allowed}.") from None


def parse_status(text: str) -> str:
    """A status label ("Đang cư trú", ...) or value → the CitizenStatus value."""
    try:
        return _STATUSES[vn.fold(text)]
    except KeyError:
        allowed = ", ".join(STATUS_LABELS.values())
        raise ValueError(f"Tình trạng phải là một trong: {allowed}.") from None
