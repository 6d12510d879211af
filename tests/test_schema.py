"""Schemathesis against the OpenAPI schema: every operation, as a district admin, a social
worker and a district admin who may export full identity numbers, through WSGI in-process
(no network).

The schema is the one /api/schema/ serves (`test_the_schema_tested_is_the_one_served`),
generated at import so that each operation is a test of its own. The data is the small world
of the permission matrix (three sites and the personas), built once for the module inside a
transaction rolled back at its end; each operation's examples run in a savepoint of it, so
what they change (they may) is gone before the next operation. Examples are few and
derandomized: the same cases every run, in bounded time.

Every response must not be a server error and must match the schema: its status code is one
the operation documents, and its content type, headers and body are the documented ones.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.contrib.auth.models import Permission
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections, transaction
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from schemathesis import GenerationMode, checks

from accounts.services import api_token_issue
from households.models import User
from tests import factories
from tests.permission_matrix.table import ADMIN, CASEWORKER
from tests.permission_matrix.world import _build, _export_job, _import_batch

pytestmark = pytest.mark.django_db

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = hypothesis.settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)


def _generated_schema() -> dict[str, Any]:
    """What /api/schema/ serves, as JSON (the view runs the same generator)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def _load(mode: GenerationMode) -> Any:
    loaded = schemathesis.openapi.from_dict(_generated_schema())
    loaded.app = WSGIHandler()
    loaded.config.generation.update(modes=[mode])
    return loaded


# Valid requests: every response must be documented and match its schema.
schema = _load(GenerationMode.POSITIVE)
# Invalid requests: refused, never a server error (which 4xx is not checked).
invalid = _load(GenerationMode.NEGATIVE)


# A district admin who may also export full identity numbers: the ledgers' "full numbers"
# paths (as of a past day too) answer only to a holder of that permission.
EXPORTER = "exporter"


def _add_exporter(built: Any, media: Any) -> None:
    user = factories.user(EXPORTER, role=User.Role.DISTRICT_ADMIN, area=built.areas.district)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="households",
            codename__in=["reveal_id_number", "export_full_id_number"],
        )
    )
    built.people[EXPORTER] = user
    built.jobs[EXPORTER] = _export_job(user)
    built.batches[EXPORTER] = _import_batch(user, media / "template.csv")


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Any]:
    media = tmp_path_factory.mktemp("schema-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        built = _build(media)
        _add_exporter(built, media)
        built.tokens = {
            name: api_token_issue(actor=built.people[name])[1]
            for name in (ADMIN, CASEWORKER, EXPORTER)
        }
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _connection_kept_open() -> Iterator[None]:
    """A request's end closes connections that are not in autocommit mode, and the test's
    is in a transaction: unhook that, as Django's test client does around its requests
    (and hooks it back after each, hence per test)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def replica_is_default() -> Iterator[None]:
    """Dashboards and exports read through "replica": let it see this test's rows."""
    original = connections["replica"]
    connections["replica"] = connections["default"]
    yield
    connections["replica"] = original


def test_the_schema_tested_is_the_one_served(api: Any, world: Any) -> None:
    response = api(world.people[ADMIN]).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert json.loads(response.content) == _generated_schema()


def test_a_reference_holding_a_nul_character_is_invalid_input(api: Any, world: Any) -> None:
    """PostgreSQL text cannot hold NUL: such a key is refused as input, never looked up."""
    body = {"area": "320506001001\x00", "address": "矩阵路1号", "head": {"name": "甲"}}
    response = api(world.people[CASEWORKER]).post("/api/v1/households/", body, format="json")
    assert response.status_code == 400
    assert "area" in response.json()


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in _generated_schema()["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_paginated_list_documents_the_answer_to_a_bad_cursor() -> None:
    """A forged or stale `cursor` is 404 (core.pagination): the schema says so."""
    lists = [
        (path, op)
        for path, _method, op in _operations()
        if any(p["name"] == "cursor" for p in op.get("parameters", []))
    ]
    assert len(lists) >= 10
    assert [path for path, op in lists if "404" not in op["responses"]] == []


def test_every_versioned_update_documents_the_answer_to_a_stale_version() -> None:
    """A `version` that is no longer current is 409 (core.api.STALE): the schema says so."""
    schemas = _generated_schema()["components"]["schemas"]
    versioned = []
    for path, method, op in _operations():
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        ref = body.get("schema", {}).get("$ref", "")
        if "version" in schemas.get(ref.rpartition("/")[2], {}).get("required", []):
            versioned.append((f"{method.upper()} {path}", op))
    assert len(versioned) >= 6
    assert [name for name, op in versioned if "409" not in op["responses"]] == []


# A real object of the persona's scope for each path parameter, so that answers about real
# rows (a household's file, a referral's steps) are checked too, not only 404s.
REAL: dict[str, Callable[[Any, str], Any]] = {
    "household_id": lambda w, p: w.sites["home"].household.uuid,
    "member_id": lambda w, p: w.sites["home"].member.uuid,
    "enrolment_id": lambda w, p: w.sites["home"].enrolment.uuid,
    "visit_id": lambda w, p: w.sites["home"].visit.uuid,
    "followup_id": lambda w, p: w.sites["home"].followup.uuid,
    "need_id": lambda w, p: w.sites["home"].need.uuid,
    "referral_id": lambda w, p: w.sites["home"].referral.uuid,
    "provider_id": lambda w, p: w.sites["home"].provider.uuid,
    "resource_id": lambda w, p: w.sites["home"].goods.uuid,
    "campaign_id": lambda w, p: w.sites["home"].campaign.uuid,
    "rule_id": lambda w, p: w.rule.uuid,
    "job_id": lambda w, p: w.jobs[p].uuid,
    "batch_id": lambda w, p: w.batches[p].uuid,
    "code": lambda w, p: w.sites["home"].area.code,
    "name": lambda w, p: "households",
}


def _call(case: Any, world: Any, persona: str, with_checks: list[Any] = CHECKS) -> None:
    """Send the case as the persona and check the answer. Half the examples (chosen by the
    generated value, so the same ones every run) name a real object instead."""
    for name, value in (case.path_parameters or {}).items():
        if name in REAL and zlib.crc32(str(value).encode()) % 2 == 0:
            case.path_parameters[name] = REAL[name](world, persona)
    case.call_and_validate(
        headers={"Authorization": f"Token {world.tokens[persona]}"}, checks=with_checks
    )


@schema.parametrize()
@EXAMPLES
def test_api_as_district_admin(case: Any, world: Any) -> None:
    _call(case, world, ADMIN)


@schema.parametrize()
@EXAMPLES
def test_api_as_social_worker(case: Any, world: Any) -> None:
    _call(case, world, CASEWORKER)


@schema.parametrize()
@EXAMPLES
def test_api_as_full_number_exporter(case: Any, world: Any) -> None:
    _call(case, world, EXPORTER)


@invalid.parametrize()
@EXAMPLES
def test_api_refuses_invalid_requests(case: Any, world: Any) -> None:
    _call(case, world, ADMIN, with_checks=[checks.not_a_server_error])
