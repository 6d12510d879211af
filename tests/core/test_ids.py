import uuid

from django.db import connection

from core.ids import uuid7_block


def test_a_block_numbers_version_7_uuids_in_time_order(db):
    prefix, start = uuid7_block()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (%s || lpad(to_hex(%s::bigint + k), 12, '0'))::uuid "
            "FROM generate_series(1, 3) AS k ORDER BY k",
            [prefix, start],
        )
        made = [row[0] for row in cursor.fetchall()]
    assert all(isinstance(u, uuid.UUID) and u.version == 7 for u in made)
    assert made == sorted(made) and len(set(made)) == 3
    later_prefix, _ = uuid7_block()
    assert later_prefix[:13] >= prefix[:13]  # the milliseconds lead
