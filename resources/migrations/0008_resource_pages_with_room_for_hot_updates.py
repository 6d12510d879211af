"""Room on each page of resources_resource for new versions of its rows (fillfactor 50).

A batch run takes stock from thousands of goods resources in one UPDATE. Without room on the
row's page, each new version went to another page and wrote an entry in each of the table's
eight indexes, the GIN index of need types among them: 4,289 resources in 308 ms. With room,
the change is a HOT update that writes no index entry: 82 ms (psql, the bench data). Only
`stock` changes, and no index holds it. The table is small (11,000 resources in 5 MB).

VACUUM FULL rewrites the existing rows with the new room (outside a transaction, hence
atomic = False); it locks the table for the rewrite, a second at most for this table.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("resources", "0007_usage_by_its_unique_index"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE resources_resource SET (fillfactor = 50)",
            reverse_sql="ALTER TABLE resources_resource RESET (fillfactor)",
        ),
        migrations.RunSQL("VACUUM FULL resources_resource", reverse_sql=migrations.RunSQL.noop),
    ]
