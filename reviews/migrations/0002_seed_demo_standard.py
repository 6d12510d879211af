import datetime as dt
from decimal import Decimal

from django.db import migrations

# The demo district's standards (姑苏区, from 2026-07-01); a database without that district
# gets none here, and its admin adds its own in the app.
DEMO_DISTRICT = "320506000000"
DEMO_STANDARD = {
    "effective_date": dt.date(2026, 7, 1),
    "dibao": Decimal("1195.00"),
    "tekun_basic": Decimal("1554.00"),
    "tekun_care_full": Decimal("250.00"),
    "tekun_care_partial": Decimal("750.00"),
    "tekun_care_none": Decimal("1500.00"),
    "dibian_factor": Decimal("1.50"),
    "rigid_share": 50,
    "dibao_stable_months": 12,
    "dibao_unstable_months": 6,
    "tekun_months": 12,
    "dibian_months": 12,
    "zhichu_months": 12,
}


def seed(apps, schema_editor):
    Area = apps.get_model("households", "Area")
    Standard = apps.get_model("reviews", "Standard")
    district = Area.objects.filter(code=DEMO_DISTRICT, level="district").first()
    if district is None:
        return
    values = dict(DEMO_STANDARD)
    Standard.objects.get_or_create(
        district=district, effective_date=values.pop("effective_date"), defaults=values
    )


def unseed(apps, schema_editor):
    apps.get_model("reviews", "Standard").objects.filter(
        district__code=DEMO_DISTRICT, effective_date=DEMO_STANDARD["effective_date"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_standards_and_reviews"), ("households", "0002_seed_categories")]
    operations = [migrations.RunPython(seed, unseed)]
