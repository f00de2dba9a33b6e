"""JSON schemas (OpenAPI 3.0 dialect) of the API's request and response bodies.

The request schemas are also what :func:`type_errors` checks incoming bodies against, so the
published document and the server cannot disagree about field types; everything beyond types
(required fields, lengths, enumerations, links, scope) is checked by the feature services,
whose messages the client then sees.
"""

from __future__ import annotations

from typing import Any

from registry.models.people import CitizenStatus, Relation
from registry.organisations.services import KINDS, MEMBER_ROLES

MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL
Schema = dict[str, Any]

ID: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
DATE: Schema = {"type": "string", "format": "date", "example": "2026-05-17"}
DATETIME: Schema = {"type": "string", "format": "date-time"}
VERSION: Schema = {"type": "integer", "minimum": 1, "description": "optimistic-locking version"}


def _text(max_length: int, *, required: bool = False) -> Schema:
    schema: Schema = {"type": "string", "maxLength": max_length}
    if required:
        schema.update(minLength=1, pattern=r"\S")
    return schema


def _null(schema: Schema) -> Schema:
    return {**schema, "nullable": True}


def _object(required: list[str], **properties: Schema) -> Schema:
    return {"type": "object", "required": required, "properties": properties}


def _with_version(schema: Schema) -> Schema:
    """The PUT form of an input schema: the same fields plus the ``version`` that was read."""
    return {
        "type": "object",
        "required": [*schema["required"], "version"],
        "properties": {**schema["properties"], "version": VERSION},
    }


def _stamped(required: list[str], **properties: Schema) -> Schema:
    stamps = {"version": VERSION, "created_at": DATETIME, "updated_at": DATETIME}
    return _object([*required, *stamps], **properties, **stamps)


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


# --- request bodies -------------------------------------------------------------------------

CITIZEN_INPUT = _object(
    ["full_name", "gender", "birth_date", "village_id"],
    full_name={
        **_text(120, required=True),
        "description": "family and given name at most 40 characters each, middle name 80",
    },
    gender={"type": "string", "enum": ["M", "F"]},
    birth_date={**DATE, "description": "not in the future, not before 1900"},
    cccd=_null({"type": "string", "pattern": r"^\d{12}$", "description": "12-digit CCCD"}),
    phone=_null({"type": "string", "pattern": r"^\d{10}$"}),
    village_id={**ID, "description": "a village in the caller's scope"},
    household_id=_null({**ID, "description": "a household of the same village"}),
    relation=_null({"type": "string", "enum": [r.value for r in Relation]}),
    clan_id=_null(ID),
    status={"type": "string", "enum": [s.value for s in CitizenStatus], "default": "active"},
    left_on=_null({**DATE, "description": "required unless status is active"}),
)
HOUSEHOLD_INPUT = _object(["village_id"], village_id=ID, address=_text(200))
HOUSEHOLD_UPDATE = _object(
    ["version"],
    address=_text(200),
    head_id=_null({**ID, "description": "a member of the household, or null"}),
    version=VERSION,
)
CLAN_INPUT = _object(
    ["name", "unit_id"],
    name=_text(150, required=True),
    unit_id={**ID, "description": "a commune or village"},
    note=_text(2000),
)
ORGANISATION_INPUT = _object(
    ["name", "kind", "unit_id"],
    name=_text(200, required=True),
    kind={"type": "string", "enum": list(KINDS)},
    unit_id=ID,
)
ACTIVITY_INPUT = _object(
    ["category_id", "title", "held_on", "hours"],
    category_id={"oneOf": [ID, {"type": "string", "minLength": 1, "pattern": r"^\D"}]},
    title=_text(200, required=True),
    provider=_text(200),
    held_on={**DATE, "description": "not in the future; the activity counts in its year"},
    ended_on=_null(DATE),
    hours={"type": "number", "minimum": 0.01, "maximum": 2000, "description": "2 decimals kept"},
    evidence=_text(2000),
)
REQUEST_SCHEMAS: dict[str, Schema] = {
    "TokenRequest": _object(
        ["username", "password"],
        username=_text(60, required=True),
        password={"type": "string", "minLength": 1, "maxLength": 200},
    ),
    "CitizenInput": CITIZEN_INPUT,
    "CitizenUpdate": _with_version(CITIZEN_INPUT),
    "HouseholdInput": HOUSEHOLD_INPUT,
    "HouseholdUpdate": HOUSEHOLD_UPDATE,
    "ClanInput": CLAN_INPUT,
    "ClanUpdate": _with_version(CLAN_INPUT),
    "OrganisationInput": ORGANISATION_INPUT,
    "OrganisationUpdate": _with_version(ORGANISATION_INPUT),
    "MemberInput": _object(
        ["citizen_id"],
        citizen_id=ID,
        role={"type": "string", "enum": list(MEMBER_ROLES), "default": "staff"},
    ),
    "ActivityInput": ACTIVITY_INPUT,
    "ActivityUpdate": _with_version(ACTIVITY_INPUT),
}

# --- responses ------------------------------------------------------------------------------

UNIT = _object(
    [
        "id",
        "code",
        "name",
        "kind",
        "level",
        "display_name",
        "parent_code",
        "valid_from",
        "valid_to",
    ],
    id=ID,
    code={"type": "string"},
    name={"type": "string"},
    kind={"type": "string"},
    level={"type": "string", "enum": ["province", "district", "commune", "village"]},
    display_name={"type": "string"},
    parent_code=_null({"type": "string"}),
    valid_from=_null(DATE),
    valid_to=_null(DATE),
)
COUNTS = ["villages", "households", "clans", "organisations", "citizens", "activities"]
TITLE_SHARE: Schema = {
    "type": "object",
    "description": "one title's result in the unit for the year (added by the criteria engine)",
    "properties": {
        "recognised": {"type": "integer", "minimum": 0},
        "eligible": {"type": "integer", "minimum": 0},
        "share": _null({"type": "number", "minimum": 0, "maximum": 1}),
    },
}
RESPONSE_SCHEMAS: dict[str, Schema] = {
    "Error": _object(
        ["error", "status"],
        error={"type": "string"},
        status={"type": "integer"},
        fields={
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    ),
    "Token": _object(
        ["token", "expires_at", "token_type"],
        token={"type": "string", "minLength": 20},
        expires_at=DATETIME,
        token_type={"type": "string", "enum": ["Bearer"]},
    ),
    "Unit": UNIT,
    "UnitList": _object(["items"], items={"type": "array", "items": _ref("Unit")}),
    "TitleShare": TITLE_SHARE,
    "UnitSummary": _object(
        ["unit", "year", "counts", "titles"],
        unit=_ref("Unit"),
        year={"type": "integer"},
        counts=_object(COUNTS, **{name: {"type": "integer", "minimum": 0} for name in COUNTS}),
        titles={"type": "object", "additionalProperties": _ref("TitleShare")},
    ),
    "Citizen": _stamped(
        [
            *CITIZEN_INPUT["properties"],
            "id",
            "code",
            "family_name",
            "middle_name",
            "given_name",
            "village_code",
        ],
        id=ID,
        code={"type": "string"},
        family_name={"type": "string"},
        middle_name={"type": "string"},
        given_name={"type": "string"},
        village_code={"type": "string"},
        **CITIZEN_INPUT["properties"],
    ),
    "Household": _stamped(
        ["id", "code", "village_id", "village_code", "address", "head_id"],
        id=ID,
        code={"type": "string"},
        village_id=ID,
        village_code={"type": "string"},
        address={"type": "string"},
        head_id=_null(ID),
    ),
    "Clan": _stamped(
        ["id", "code", "name", "unit_id", "unit_code", "note"],
        id=ID,
        code={"type": "string"},
        name={"type": "string"},
        unit_id=ID,
        unit_code={"type": "string"},
        note={"type": "string"},
    ),
    "Organisation": _stamped(
        ["id", "code", "name", "kind", "unit_id", "unit_code"],
        id=ID,
        code={"type": "string"},
        name={"type": "string"},
        kind={"type": "string", "enum": list(KINDS)},
        unit_id=ID,
        unit_code={"type": "string"},
    ),
    "Member": _object(
        ["id", "organisation_id", "citizen_id", "citizen_code", "full_name", "role"],
        id=ID,
        organisation_id=ID,
        citizen_id=ID,
        citizen_code={"type": "string"},
        full_name={"type": "string"},
        role={"type": "string", "enum": list(MEMBER_ROLES)},
    ),
    "MemberList": _object(["items"], items={"type": "array", "items": _ref("Member")}),
    "Activity": _stamped(
        [
            "id",
            "citizen_id",
            "category_id",
            "category_code",
            "title",
            "provider",
            "held_on",
            "ended_on",
            "hours",
            "evidence",
        ],
        id=ID,
        citizen_id=ID,
        category_id=ID,
        category_code={"type": "string"},
        title={"type": "string"},
        provider={"type": "string"},
        held_on=DATE,
        ended_on=_null(DATE),
        hours={"type": "number", "minimum": 0.01, "maximum": 2000},
        evidence={"type": "string"},
    ),
    "ActivityCategory": _object(
        ["id", "code", "name_vi", "name_en"],
        id=ID,
        code={"type": "string"},
        name_vi={"type": "string"},
        name_en={"type": "string"},
    ),
    "ActivityCategoryList": _object(
        ["items"], items={"type": "array", "items": _ref("ActivityCategory")}
    ),
}
for _name in ("Citizen", "Household", "Clan", "Organisation", "Activity"):
    RESPONSE_SCHEMAS[f"{_name}Page"] = _object(
        ["items", "page", "per_page", "total"],
        items={"type": "array", "items": _ref(_name)},
        page={"type": "integer", "minimum": 1},
        per_page={"type": "integer", "minimum": 1},
        total={"type": "integer", "minimum": 0},
    )


# --- type checking of request bodies --------------------------------------------------------

_TYPE_MESSAGES = {
    "integer": "Giá trị phải là số nguyên hợp lệ.",
    "number": "Giá trị phải là một số.",
    "string": "Giá trị phải là chuỗi ký tự.",
}


def type_errors(data: dict[str, Any], schema: Schema) -> dict[str, list[str]]:
    """``{field: [message]}`` for each known field of ``data`` whose JSON type is wrong.

    Only types (and integer bounds, so ids fit the database) are checked; null is accepted
    only where the schema says ``nullable``. Unknown fields are ignored.
    """
    errors: dict[str, list[str]] = {}
    for name, field in schema["properties"].items():
        if name in data and (message := _type_error(data[name], field)) is not None:
            errors[name] = [message]
    return errors


def _type_error(value: Any, field: Schema) -> str | None:
    if value is None:
        return None if field.get("nullable") else "Giá trị không được là null."
    if "oneOf" in field:
        if all(_type_error(value, option) is not None for option in field["oneOf"]):
            return "Giá trị không đúng kiểu dữ liệu."
        return None
    kind = field["type"]
    if isinstance(value, bool) or not _has_type(value, kind):
        return _TYPE_MESSAGES[kind]
    if kind == "integer" and not field.get("minimum", value) <= value <= field.get(
        "maximum", value
    ):
        return _TYPE_MESSAGES[kind]
    if kind == "string" and not _clean_text(value):
        return "Giá trị chứa ký tự không hợp lệ."
    return None


def _has_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int)
    if kind == "number":
        return isinstance(value, int | float)
    return isinstance(value, str)


def _clean_text(value: str) -> bool:
    # PostgreSQL refuses NUL characters, and lone surrogates cannot be encoded as UTF-8
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
