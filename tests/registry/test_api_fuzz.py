"""Schemathesis against the served OpenAPI document: no 5xx, and every answer as documented.

The document is read once, at import, from ``/api/v1/openapi.json`` of an app that never
touches its database; schemathesis makes one test per operation from it. Each test gets the
usual fresh app and world, a few objects of every kind and a real bearer token, and sends its
cases to that app in-process (WSGI). Writes are real: a case may create, change or delete
what the earlier cases of the same test left behind.

A commune editor gets every phase (the schema's examples, the coverage phase's boundary and
wrong-type values, unexpected methods, and fuzzing) over a year already evaluated, so that
writes re-evaluate what they touch; the admin, whose scope is everything, gets fuzzing only.
The seed is fixed, so CI runs the same cases every time and a failure reproduces;
``FUZZ_EXAMPLES=500 .venv/bin/pytest tests/registry/test_api_fuzz.py`` fuzzes deeper by hand.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from registry import create_app
from registry.activities.services import categories, record_activity
from registry.api.services import issue_api_token
from registry.citizens.services import create_citizen
from registry.clans.services import create_clan
from registry.evaluation.services import evaluate_year
from registry.extensions import db
from registry.households.services import create_household
from registry.organisations.services import add_member, create_organisation

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    unsupported_method,  # a 405 must say what is allowed
    ignored_auth,  # a request without a valid token must be refused
]
# fuzzing examples per operation for the commune editor and for the admin (the commune
# editor's coverage phase adds its own, bounded, set of cases); FUZZ_EXAMPLES overrides both
EXAMPLES = {"commune": 15, "admin": 10}
SEED = 20261127
DOCUMENT_APP = create_app(
    {"TESTING": True, "SECRET_KEY": "fuzz", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
)


def _load_schema(*, examples: int, every_phase: bool) -> Any:
    phases = {"stateful": {"enabled": False}}
    if not every_phase:
        phases |= {"examples": {"enabled": False}, "coverage": {"enabled": False}}
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",
                "max-examples": int(os.environ.get("FUZZ_EXAMPLES", examples)),
                "database": "none",
            },
            "phases": phases,
        }
    )
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", DOCUMENT_APP, config=config)
    loaded.hook("flatmap_path_parameters")(_real_parameters)
    loaded.hook("flatmap_query")(_real_parameters)
    loaded.hook("flatmap_body")(_real_body)
    return loaded


# Values that pass the services' checks, per field name, for the objects the current test
# seeded. Random values alone almost never name a real village or a past date, so writes would
# stop at the first 404 or 422; the hooks below send each generated request as it is, with
# every such field replaced by a real value, or with each field mixed.
POOLS: dict[str, list[Any]] = {}


def _seed_village(admin: Any, village: Any) -> dict[str, int]:
    """A household, clan and organisation in ``village``, and a citizen of all three with an
    activity in 2026; their ids."""
    household = create_household(admin, {"village_id": village.id, "address": "Xóm 1"})
    clan = create_clan(admin, {"name": "Họ Nguyễn", "unit_id": village.id})
    organisation = create_organisation(
        admin, {"name": "Hội Khuyến học", "kind": "other", "unit_id": village.id}
    )
    person = {"full_name": "Nguyễn Thị Bình", "gender": "F", "birth_date": date(1980, 5, 17)}
    links = {"household_id": household.id, "relation": "other", "clan_id": clan.id}
    today = date(2026, 11, 27)
    citizen = create_citizen(admin, {**person, **links, "village_id": village.id}, today=today)
    activity = {"category_id": "tthtcd", "title": "Tin học", "held_on": "2026-03-02", "hours": 4}
    return {
        "citizen": citizen.id,
        "activity": record_activity(admin, citizen, activity, today=today).id,
        "member": add_member(admin, organisation, citizen, "learner").id,
        "household": household.id,
        "clan": clan.id,
        "organisation": organisation.id,
    }


def _seed(world: Any) -> dict[str, list[Any]]:
    """One of each object in each of three villages (two in commune A, one in commune B), and
    the pools of real values that go with them."""
    villages = [world.units[name] for name in ("village_a1", "village_a2", "village_b1")]
    seeded = [_seed_village(world.users["admin"], village) for village in villages]
    ids = {kind: [objects[kind] for objects in seeded] for kind in seeded[0]}
    db.session.commit()
    codes = [unit.code for unit in world.units.values()]
    return {
        "citizen_id": ids["citizen"],
        "activity_id": ids["activity"],
        "member_id": ids["member"],
        "household": ids["household"],
        "organisation_id": ids["organisation"],
        "village_id": [village.id for village in villages],
        "unit_id": [world.units[name].id for name in ("commune_a", "village_a1", "village_b1")],
        "category_id": ["tthtcd", *(category.id for category in categories()[:2])],
        "code": codes,
        "unit": codes,
        "parent": codes,
        "version": [1, 2],
        "username": ["xa_a"],
        "password": [world.password],
        "birth_date": ["1980-05-17"],
        "held_on": ["2026-03-02"],
        # links that must agree with each other: none is always right, a real id sometimes
        **{name: [None] for name in ("ended_on", "left_on", "relation", "cccd", "phone")},
        "status": ["active"],
        "household_id": [None, *ids["household"]],
        "clan_id": [None, *ids["clan"]],
        "head_id": [None, *ids["citizen"]],
    }


def _with_pools(values: Any, *, in_body: bool) -> st.SearchStrategy[Any]:
    """``values`` as generated, with every pooled field real, or with each pooled field either.

    In a body, the first value of a pool of links (none) is the one that is always right; a
    path or query parameter is never none.
    """
    if not isinstance(values, dict) or not POOLS:
        return st.just(values)
    pools = {
        name: POOLS[name] if in_body else [v for v in POOLS[name] if v is not None]
        for name in values
        if name in POOLS
    }
    real = {
        name: st.just(None) if pool[0] is None else st.sampled_from(pool)
        for name, pool in pools.items()
    }
    mixed = {name: st.sampled_from([values[name], *pool]) for name, pool in pools.items()}
    as_generated = {name: st.just(value) for name, value in values.items()}
    real_values = st.fixed_dictionaries({**as_generated, **real})
    # real values twice: the services' checks are where the bugs hide, and random ids or dates
    # stop nearly every request long before them
    return st.one_of(
        real_values, real_values, st.fixed_dictionaries({**as_generated, **mixed}), st.just(values)
    )


def _real_parameters(_context: Any, values: Any) -> st.SearchStrategy[Any]:
    return _with_pools(values, in_body=False)


def _real_body(_context: Any, values: Any) -> st.SearchStrategy[Any]:
    return _with_pools(values, in_body=True)


commune_schema = _load_schema(examples=EXAMPLES["commune"], every_phase=True)
admin_schema = _load_schema(examples=EXAMPLES["admin"], every_phase=False)


@pytest.fixture
def bearer(app: Flask, world: Any) -> Iterator[Callable[[str], dict[str, str]]]:
    """Seeds the database, then ``bearer("xa_a")`` is the header with a token of that user."""
    POOLS.update(_seed(world))
    tokens: dict[str, str] = {}

    def header(username: str) -> dict[str, str]:
        if username not in tokens:
            tokens[username], _expires = issue_api_token(world.users[username], 1)
            db.session.commit()
        return {"Authorization": f"Bearer {tokens[username]}"}

    yield header
    POOLS.clear()


@pytest.fixture
def evaluated(bearer: Any) -> None:
    """2026 evaluated, so that the cases' writes re-evaluate what they touch too."""
    evaluate_year(2026)
    db.session.commit()


@dataclass
class Tally:
    """The cases one test sent, and the status codes of those that passed their checks."""

    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    """Counts the cases of one test (``-s`` shows them); a test that sent none fails."""
    counts = Tally()
    yield counts
    print(f"{request.node.name}: {counts.cases} cases, by status {sorted(counts.statuses.items())}")
    assert counts.cases > 0, "schemathesis ran no case"


# the app and its database live for the whole test, across examples, on purpose: the cases
# build on each other's writes (hypothesis warns about function-scoped fixtures otherwise)
FIXTURES_SPAN_EXAMPLES = settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@commune_schema.parametrize()
@FIXTURES_SPAN_EXAMPLES
@pytest.mark.usefixtures("evaluated")
def test_commune_editor_gets_documented_answers(
    case: Any, app: Flask, bearer: Callable[[str], dict[str, str]], tally: Tally
) -> None:
    tally.cases += 1
    response = case.call_and_validate(app=app, headers=bearer("xa_a"), checks=CHECKS)
    tally.statuses[response.status_code] += 1


@admin_schema.parametrize()
@FIXTURES_SPAN_EXAMPLES
def test_admin_gets_documented_answers(
    case: Any, app: Flask, bearer: Callable[[str], dict[str, str]], tally: Tally
) -> None:
    tally.cases += 1
    response = case.call_and_validate(app=app, headers=bearer("admin"), checks=CHECKS)
    tally.statuses[response.status_code] += 1
