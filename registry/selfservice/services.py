"""Citizen self-service: look a citizen up by code or CCCD plus date of birth, and gather what
their own status page may show.

Privacy rules (Decree 13/2023/NĐ-CP; issue "citizen self-service"):

* one neutral answer for every failed lookup (:data:`NOT_FOUND`): an unknown code, an unknown
  CCCD, a wrong date of birth, an impossible date, a deceased citizen all look the same;
* every lookup does the same work: exactly one query on a unique index (``code`` or ``cccd``)
  and one constant-time comparison of the birth date, also when nothing was found, so the
  response time does not tell whether a code exists;
* the page data (:class:`StatusPage`) is plain data built here, never ORM objects: it holds the
  given name and nothing else personal (no CCCD, birth date, phone, address, no other person).

Who may look themselves up: active citizens, and citizens who moved away (they keep their past
titles and activities; they are no longer evaluated here, which the page says). The records of
deceased citizens are never served: a lookup gives the neutral answer.

"This year" on the page is the calendar year (the view passes today's): its evaluation is
computed live from the facts recorded so far (as the staff explanation page does), so it says
what is missing before the year is evaluated; earlier years appear as stored results and
recognitions.

The looked-up citizen is remembered in a cookie of its own, signed with :func:`sign_citizen`
(salted apart from the staff session); the views set and read it.
"""

from __future__ import annotations

import hmac
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

import criteria
from criteria.explain import number
from registry import audit, vn
from registry.evaluation.explain import explain_subject
from registry.evaluation.sets import all_sets, applicable
from registry.evaluation.summary import subject_results
from registry.extensions import db
from registry.models import (
    Activity,
    ActivityCategory,
    Citizen,
    EvaluationResult,
    Household,
    Recognition,
    User,
)
from registry.models.people import CitizenStatus

#: The one answer to every failed lookup (a msgid: the view translates it).
NOT_FOUND = "Không tìm thấy thông tin phù hợp"

#: How long a lookup stays open on the device, in seconds (config STATUS_SESSION_SECONDS).
DEFAULT_SESSION_SECONDS = 600

_SALT = "registry.selfservice.status-cookie"
_CCCD_RE = re.compile(r"[0-9]{12}")
_EIGHT_DIGITS = re.compile(r"[0-9]{8}")
# compared against when no citizen was found or the date is impossible; ISO dates are 10 long
_NO_DATE = "----------"
_NO_BIRTH = "~~~~~~~~~~"
_CODE_MAX = 20


# --- lookup -----------------------------------------------------------------------------------


def normalise_identifier(text: str) -> tuple[str, str]:
    """``("cccd", 12 digits)`` for a CCCD number, else ``("code", CODE)``.

    Spaces, dots and dashes are ignored and letters upper-cased, so "cd 4830-291746" finds
    "CD4830291746". Anything else is looked up as a code (and simply matches nothing).
    """
    compact = re.sub(r"[\s.\-]", "", text).upper()
    if _CCCD_RE.fullmatch(compact):
        return "cccd", compact
    return "code", compact[:_CODE_MAX]


def parse_birth(text: str) -> date | None:
    """The date typed as dd/mm/yyyy (or d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, or 8 digits
    ddmmyyyy, easier on a phone keypad); None when it is not a real date."""
    compact = text.strip()
    if _EIGHT_DIGITS.fullmatch(compact):
        compact = f"{compact[:2]}/{compact[2:4]}/{compact[4:]}"
    try:
        return vn.parse_date_vn(compact)
    except ValueError:
        return None


def lookup(identifier: str, birth_text: str) -> int | None:
    """The id of the citizen whose code or CCCD and birth date both match; None otherwise.

    The same work is done on every path (see the module docstring): one indexed query, one
    constant-time comparison, the outcome combined without early returns.
    """
    kind, value = normalise_identifier(identifier)
    column = Citizen.cccd if kind == "cccd" else Citizen.code
    row = db.session.execute(
        select(Citizen.id, Citizen.birth_date, Citizen.status).where(column == value)
    ).first()
    given = parse_birth(birth_text)
    typed = given.isoformat() if given is not None else _NO_DATE
    stored = row.birth_date.isoformat() if row is not None else _NO_BIRTH
    same_birth = hmac.compare_digest(typed.encode(), stored.encode())
    if row is None or not same_birth or row.status == CitizenStatus.deceased:
        return None
    return int(row.id)


def record_lookup(citizen_id: int) -> None:
    """Log a successful self-service lookup in the audit trail (who was looked up, not by whom:
    the visitor is anonymous). The caller commits."""
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is not None:
        audit.record(
            None,
            "self_lookup",
            citizen,
            unit_id=citizen.village_id,
            summary="Công dân tự tra cứu tình trạng trực tuyến",
        )
        db.session.flush()


def record_slip(actor: User, citizen: Citizen) -> None:
    """Log that staff printed a citizen's registration slip (it carries the citizen code)."""
    audit.record(
        actor,
        "print_slip",
        citizen,
        unit_id=citizen.village_id,
        summary=citizen.code,
    )
    db.session.flush()


# --- the lookup cookie ------------------------------------------------------------------------


def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def sign_citizen(secret_key: str | bytes, citizen_id: int) -> str:
    """A signed, timestamped token naming the looked-up citizen (for the status cookie)."""
    return str(_serializer(secret_key).dumps({"citizen": citizen_id}))


def read_citizen(secret_key: str | bytes, token: str | None, max_age: int) -> int | None:
    """The citizen id in a token from :func:`sign_citizen`; None when missing, forged, signed
    for something else (the staff session has another salt) or older than ``max_age`` s."""
    if not token:
        return None
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    value = data.get("citizen") if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- the status page --------------------------------------------------------------------------


@dataclass(frozen=True)
class TitleRow:
    """A title of one year: ``state`` is recognised, revoked, passed (awaiting) or failed."""

    year: int
    title: str
    state: str
    total: float | None = None
    serial: str | None = None


@dataclass(frozen=True)
class CriterionLine:
    """One criterion of this year's evaluation, in words. ``awaiting`` marks a criterion the
    committee has not assessed yet (nothing the citizen can do about it but wait)."""

    title: str
    how: str
    score: str
    passed: bool
    measurement: str
    missing: str
    awaiting: bool = False


@dataclass(frozen=True)
class YearEvaluation:
    """The citizen's evaluation for a year, computed now from the recorded facts."""

    year: int
    title: str
    passed: bool
    total: str
    max_total: str
    min_total: str
    min_each: str | None
    overall: str
    criteria: tuple[CriterionLine, ...]

    @property
    def to_do(self) -> tuple[CriterionLine, ...]:
        """Criteria still short of something the citizen can add (hours, courses, points)."""
        return tuple(line for line in self.criteria if line.missing and not line.awaiting)

    @property
    def awaiting(self) -> tuple[CriterionLine, ...]:
        """Criteria the committee has not assessed yet."""
        return tuple(line for line in self.criteria if line.awaiting)


@dataclass(frozen=True)
class ActivityRow:
    """A recorded learning activity, as the citizen may see it."""

    held_on: date
    ended_on: date | None
    category: str
    title: str
    hours: float


@dataclass(frozen=True)
class HouseholdRow:
    """The household's title for one year: passed (None = not evaluated) and recognised."""

    year: int
    title: str
    passed: bool | None
    recognised: bool = False


@dataclass(frozen=True)
class StatusPage:
    """Everything /status/me shows. Only the given name identifies the person."""

    given_name: str
    year: int
    is_present: bool
    titles: tuple[TitleRow, ...]
    evaluation: YearEvaluation | None
    activities: dict[int, tuple[ActivityRow, ...]]
    has_household: bool
    household: tuple[HouseholdRow, ...] = field(default=())

    def hours(self, year: int) -> float:
        """Total hours of the activities recorded in ``year``."""
        return sum(row.hours for row in self.activities.get(year, ()))


def status_page(citizen_id: int, *, year: int, lang: str = "vi") -> StatusPage | None:
    """What the citizen ``citizen_id`` may see about themselves, with ``year`` as "this year".

    None when the citizen no longer exists or may no longer be served (deceased).
    """
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None or citizen.status == CitizenStatus.deceased:
        return None
    household = citizen.household
    return StatusPage(
        given_name=citizen.given_name or citizen.full_name,
        year=year,
        is_present=citizen.status == CitizenStatus.active,
        titles=tuple(titles_by_year(citizen.id, lang)),
        evaluation=year_evaluation(citizen, year, lang),
        activities=recent_activities(citizen.id, year, lang),
        has_household=household is not None,
        household=tuple(household_titles(household, year, lang)) if household else (),
    )


def _set_title(set_id: str, lang: str) -> str:
    found = next((s for s in all_sets() if s.id == set_id), None)
    if found is None:
        return set_id
    return (found.title_en or found.title) if lang == "en" else found.title


def titles_by_year(citizen_id: int, lang: str = "vi") -> list[TitleRow]:
    """The citizen's recognitions and stored results, newest year first (one row per year and
    title: a recognition wins over the result it came from)."""
    rows: dict[tuple[int, str], TitleRow] = {}
    for result in subject_results("citizen", citizen_id):
        state = "passed" if result.passed else "failed"
        rows[(result.year, result.set_id)] = TitleRow(
            result.year, _set_title(result.set_id, lang), state, result.total
        )
    recognitions = db.session.scalars(
        select(Recognition).where(
            Recognition.subject_type == "citizen", Recognition.subject_id == citizen_id
        )
    )
    for found in recognitions:
        state = "revoked" if found.revoked_at is not None else "recognised"
        rows[(found.year, found.set_id)] = TitleRow(
            found.year, _set_title(found.set_id, lang), state, found.total, found.serial
        )
    return sorted(rows.values(), key=lambda row: (-row.year, row.title))


def _measurement(line: str, title: str) -> str:
    """The explanation line without its leading "Title: " (the page shows the title apart)."""
    return line.removeprefix(f"{title}: ")


def year_evaluation(citizen: Citizen, year: int, lang: str = "vi") -> YearEvaluation | None:
    """The citizen's evaluation for ``year`` criterion by criterion, computed from the facts
    recorded so far (None when no criteria set applies or they are not evaluated that year:
    too young, moved away)."""
    explained = explain_subject("citizen", citizen.id, year, citizen.village, lang)
    if explained is None:
        return None
    cset, outcome = explained.criteria_set, explained.outcome
    lines = []
    for result in outcome.results:
        criterion = cset.criterion(result.id)
        title = (criterion.title_en or criterion.title) if lang == "en" else criterion.title
        words = criteria.explain_result(result, cset, lang)
        lines.append(
            CriterionLine(
                title=title,
                how=criteria.KIND_LABELS[lang].get(result.kind, ""),
                score=f"{_number(result.points, lang)}/{_number(result.max_points, lang)}",
                passed=result.passed,
                measurement=_measurement(words[0], title),
                missing=words[1] if len(words) > 1 else "",
                awaiting=result.reason.code == "not_assessed",
            )
        )
    rule = cset.pass_rule
    return YearEvaluation(
        year=year,
        title=(cset.title_en or cset.title) if lang == "en" else cset.title,
        passed=outcome.passed,
        total=_number(outcome.total, lang),
        max_total=_number(outcome.max_total, lang),
        min_total=_number(rule.min_total, lang),
        min_each=_number(rule.min_each, lang) if rule.min_each else None,
        overall=criteria.explain_overall(outcome, cset, lang),
        criteria=tuple(lines),
    )


def _number(value: float, lang: str) -> str:
    """Points and hours as the explanations write them: "12", "12,5" (English "12.5")."""
    return number(value, lang, decimals=1)


def recent_activities(
    citizen_id: int, year: int, lang: str = "vi"
) -> dict[int, tuple[ActivityRow, ...]]:
    """The citizen's activities of ``year`` and the year before, by year (newest first)."""
    name = ActivityCategory.name_en if lang == "en" else ActivityCategory.name_vi
    rows = db.session.execute(
        select(Activity.held_on, Activity.ended_on, name, Activity.title, Activity.hours)
        .join(ActivityCategory, Activity.category_id == ActivityCategory.id)
        .where(
            Activity.citizen_id == citizen_id,
            Activity.held_on.between(date(year - 1, 1, 1), date(year, 12, 31)),
        )
        .order_by(Activity.held_on.desc(), Activity.id.desc())
    ).all()
    by_year: dict[int, list[ActivityRow]] = {year: [], year - 1: []}
    for held_on, ended_on, category, title, hours in rows:
        by_year[held_on.year].append(ActivityRow(held_on, ended_on, category, title, float(hours)))
    return {key: tuple(value) for key, value in by_year.items()}


def household_titles(household: Household, year: int, lang: str = "vi") -> list[HouseholdRow]:
    """The household's stored results by year (``year`` always listed, maybe not evaluated),
    newest first. Only pass or not and whether it was recognised: no member is named."""
    household_id = household.id
    recognised = {
        (found_year, set_id)
        for found_year, set_id in db.session.execute(
            select(Recognition.year, Recognition.set_id).where(
                Recognition.subject_type == "household",
                Recognition.subject_id == household_id,
                Recognition.revoked_at.is_(None),
            )
        )
    }
    results: dict[int, list[EvaluationResult]] = defaultdict(list)
    for result in subject_results("household", household_id):
        results[result.year].append(result)
    rows = [
        HouseholdRow(r.year, _set_title(r.set_id, lang), r.passed, (r.year, r.set_id) in recognised)
        for stored in results.values()
        for r in stored
    ]
    cset = applicable(all_sets(), "household", year, household.village)
    if year not in results and cset is not None:
        rows.append(HouseholdRow(year, _set_title(cset.id, lang), None))
    return sorted(rows, key=lambda row: -row.year)
