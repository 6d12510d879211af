from django.db import migrations

CATEGORIES = [
    ("dibao", "低保", "最低生活保障", False, 1),
    ("dibian", "低边", "最低生活保障边缘家庭", False, 2),
    ("tekun", "特困", "特困人员救助供养", True, 3),
    ("zhichu", "支出型", "支出型困难家庭", False, 4),
    ("linshi", "临时救助", "临时救助（含急难救助）", False, 5),
]


def seed(apps, schema_editor):
    Category = apps.get_model("households", "Category")
    for code, name, full_name, per_person, order in CATEGORIES:
        Category.objects.update_or_create(
            code=code,
            defaults={"name": name, "full_name": full_name, "per_person": per_person,
                      "sort_order": order},
        )


def unseed(apps, schema_editor):
    apps.get_model("households", "Category").objects.filter(
        code__in=[c[0] for c in CATEGORIES], enrolments__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
