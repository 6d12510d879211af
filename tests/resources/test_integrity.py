"""References of referrals and stock movements are foreign keys: the database refuses a row
that names nothing, a change to a row that is not there, and deleting what is referred to,
whatever the code that tries (raw SQL here, past the ORM's PROTECT)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from matching import services
from tests.factories import need as make_need

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(personas, household, pool):
    need = make_need(household=household, type="survival", subtype="goods")
    return services.referral_propose(actor=personas.caseworker, need=need, resource=pool.quilts)


def _fails(sql, params=()):
    # Django's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED); the test
    # runs inside a transaction that never commits, so ask for the checks now.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


_INSERT_REFERRAL = """
INSERT INTO matching_referral (uuid, created_at, updated_at, need_id, resource_id, provider_id,
    household_id, status, quantity, score, reasons, note, decline_reason, delivery_note,
    outcome, confirm_note, close_reason, version)
SELECT gen_random_uuid(), now(), now(), %s, %s, r.provider_id, r.household_id, 'closed', 1, 0,
    '[]', '', '', '', '', '', '', 1
FROM matching_referral r WHERE r.id = %s
"""


def test_a_referral_to_a_missing_need_or_resource_is_refused(referral):
    _fails(_INSERT_REFERRAL, [referral.need_id + 10_000, referral.resource_id, referral.pk])
    _fails(_INSERT_REFERRAL, [referral.need_id, referral.resource_id + 10_000, referral.pk])
    with transaction.atomic(), connection.cursor() as cursor:  # the same with real rows works
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(_INSERT_REFERRAL, [referral.need_id, referral.resource_id, referral.pk])


def test_a_referral_cannot_be_pointed_at_a_missing_row(referral):
    _fails(
        "UPDATE matching_referral SET resource_id = %s WHERE id = %s",
        [referral.resource_id + 10_000, referral.pk],
    )
    _fails(
        "UPDATE matching_referral SET campaign_id = %s WHERE id = %s",
        [10_000, referral.pk],
    )


def test_what_is_referred_to_cannot_be_deleted(referral):
    _fails("DELETE FROM matching_need WHERE id = %s", [referral.need_id])
    _fails("DELETE FROM resources_resource WHERE id = %s", [referral.resource_id])
    _fails("DELETE FROM matching_referral WHERE id = %s", [referral.pk])  # its stock movement


def test_deleting_a_referred_resource_or_need_is_refused_before_the_database(referral):
    with pytest.raises(ProtectedError):
        referral.resource.delete()
    with pytest.raises(ProtectedError):
        referral.need.delete()


def test_a_stock_movement_needs_its_resource_and_referral(referral, pool):
    sql = (
        "INSERT INTO resources_stockmovement (created_at, updated_at, resource_id, kind, "
        "quantity, supplier, note, referral_id) VALUES (now(), now(), %s, 'given', 1, '', '', %s)"
    )
    _fails(sql, [pool.quilts.pk + 10_000, referral.pk])
    _fails(sql, [pool.quilts.pk, referral.pk + 10_000])
    _fails(
        "UPDATE resources_stockmovement SET referral_id = %s WHERE referral_id = %s",
        [referral.pk + 10_000, referral.pk],
    )
