"""Room on each page of matching_need for a new version of every row on it (fillfactor 45).

A batch run changes nearly every open need at once (open → matched), so nearly every row of
a page needs room for its new version on the same page to be a HOT update, which writes no
index entry. With fillfactor 85 (0004) only a few did: 77,000 of 417,000 updates were HOT
in the bench, each of the others writing four index entries. At 45 all of them were HOT,
and the run's claim of 48,000 needs went from 0.86 s to 0.74 s (median of 4, load 2.4).
The table takes about twice the space (18 MB for 56,000 needs).

VACUUM FULL rewrites the existing rows with the new room (outside a transaction, hence
atomic = False); it locks the table for the rewrite, seconds at most for this table.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("matching", "0005_reference_checks_by_id_arrays_delivered_index"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE matching_need SET (fillfactor = 45)",
            reverse_sql="ALTER TABLE matching_need SET (fillfactor = 85)",
        ),
        migrations.RunSQL("VACUUM FULL matching_need", reverse_sql=migrations.RunSQL.noop),
    ]
