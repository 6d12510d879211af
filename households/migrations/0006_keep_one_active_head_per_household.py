"""Before the one-head constraint (next migration): a household that already has more than one
active 户主 keeps the one its `head` points at (else its first registered), and the others
become 其他 (other), a relation that claims nothing; their history keeps the old value."""

from django.db import migrations
from django.db.models import Count


def keep_one_head(apps, schema_editor):
    Member = apps.get_model("households", "Member")
    Household = apps.get_model("households", "Household")
    heads = Member.objects.filter(status="active", relation="head")
    doubled = (
        heads.values("household_id").annotate(n=Count("id")).filter(n__gt=1).values("household_id")
    )
    for household_id, head_id in Household.objects.filter(id__in=doubled).values_list(
        "id", "head_id"
    ):
        ids = list(heads.filter(household_id=household_id).order_by("id").values_list("id", flat=True))
        keep = head_id if head_id in ids else ids[0]
        heads.filter(household_id=household_id).exclude(id=keep).update(relation="other")


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0005_user_must_change_password"),
    ]

    operations = [
        migrations.RunPython(keep_one_head, migrations.RunPython.noop),
    ]
