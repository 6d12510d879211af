"""The summary tables move from cases to dashboards: in Django's state only.

The tables exist (cases migrations 0005 and 0008 made them) and keep their names and rows;
cases 0016 forgets them on its side. Nothing in the database changes here.
"""

import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0015_visit_conflicts_default_in_the_database'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CaseloadDelta',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('area_code', models.CharField(max_length=15)),
                        ('category', models.CharField(max_length=16)),
                        ('households', models.IntegerField(default=0)),
                        ('persons', models.IntegerField(default=0)),
                        ('day', models.DateField()),
                        ('new', models.IntegerField(default=0)),
                        ('suspended', models.IntegerField(default=0)),
                        ('ended', models.IntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'cases_caseloaddelta',
                        'indexes': [models.Index(models.F('day'), django.contrib.postgres.indexes.OpClass('area_code', name='varchar_pattern_ops'), name='caseloaddelta_scope')],
                        'constraints': [models.UniqueConstraint(fields=('area_code', 'category', 'day'), name='caseloaddelta_one_per_day')],
                    },
                ),
                migrations.CreateModel(
                    name='CaseloadHorizon',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField()),
                        ('time_zone', models.CharField(max_length=64)),
                    ],
                    options={
                        'db_table': 'cases_caseloadhorizon',
                        'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='caseloadhorizon_one_row')],
                    },
                ),
                migrations.CreateModel(
                    name='CaseloadMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('area_code', models.CharField(max_length=15)),
                        ('category', models.CharField(max_length=16)),
                        ('households', models.IntegerField(default=0)),
                        ('persons', models.IntegerField(default=0)),
                        ('month', models.DateField()),
                    ],
                    options={
                        'db_table': 'cases_caseloadmonth',
                        'indexes': [models.Index(models.F('month'), django.contrib.postgres.indexes.OpClass('area_code', name='varchar_pattern_ops'), name='caseloadmonth_scope')],
                        'constraints': [models.UniqueConstraint(fields=('area_code', 'category', 'month'), name='caseloadmonth_one_per_month')],
                    },
                ),
                migrations.CreateModel(
                    name='CaseloadPart',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('area_code', models.CharField(max_length=15)),
                        ('category', models.CharField(max_length=16)),
                        ('households', models.IntegerField(default=0)),
                        ('persons', models.IntegerField(default=0)),
                        ('day', models.DateField()),
                        ('new', models.IntegerField(default=0)),
                        ('suspended', models.IntegerField(default=0)),
                        ('ended', models.IntegerField(default=0)),
                        ('household_id', models.BigIntegerField()),
                    ],
                    options={
                        'db_table': 'cases_caseloadpart',
                        'indexes': [models.Index(fields=['household_id'], name='caseloadpart_household')],
                    },
                ),
                migrations.CreateModel(
                    name='FollowUpDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('area_code', models.CharField(max_length=15)),
                        ('assignee_id', models.BigIntegerField()),
                        ('kind', models.CharField(max_length=8)),
                        ('followups', models.IntegerField(default=0)),
                        ('day', models.DateField()),
                    ],
                    options={
                        'db_table': 'cases_followupday',
                        'indexes': [models.Index(models.F('day'), django.contrib.postgres.indexes.OpClass('area_code', name='varchar_pattern_ops'), name='followupday_scope')],
                        'constraints': [models.UniqueConstraint(fields=('area_code', 'assignee_id', 'kind', 'day'), name='followupday_one_per_day')],
                    },
                ),
                migrations.CreateModel(
                    name='FollowUpMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('area_code', models.CharField(max_length=15)),
                        ('assignee_id', models.BigIntegerField()),
                        ('kind', models.CharField(max_length=8)),
                        ('followups', models.IntegerField(default=0)),
                        ('month', models.DateField()),
                    ],
                    options={
                        'db_table': 'cases_followupmonth',
                        'indexes': [models.Index(django.contrib.postgres.indexes.OpClass('area_code', name='varchar_pattern_ops'), models.F('kind'), name='followupmonth_scope')],
                        'constraints': [models.UniqueConstraint(fields=('area_code', 'assignee_id', 'kind', 'month'), name='followupmonth_one_per_month')],
                    },
                ),
                migrations.CreateModel(
                    name='VisitDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('area_code', models.CharField(max_length=15)),
                        ('method', models.CharField(max_length=16)),
                        ('visits', models.IntegerField(default=0)),
                        ('day', models.DateField()),
                    ],
                    options={
                        'db_table': 'cases_visitday',
                        'indexes': [models.Index(models.F('day'), django.contrib.postgres.indexes.OpClass('area_code', name='varchar_pattern_ops'), name='visitday_scope')],
                        'constraints': [models.UniqueConstraint(fields=('area_code', 'day', 'method'), name='visitday_one_per_day')],
                    },
                ),
                migrations.CreateModel(
                    name='VisitMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('area_code', models.CharField(max_length=15)),
                        ('method', models.CharField(max_length=16)),
                        ('visits', models.IntegerField(default=0)),
                        ('month', models.DateField()),
                    ],
                    options={
                        'db_table': 'cases_visitmonth',
                        'indexes': [models.Index(models.F('month'), django.contrib.postgres.indexes.OpClass('area_code', name='varchar_pattern_ops'), name='visitmonth_scope')],
                        'constraints': [models.UniqueConstraint(fields=('area_code', 'month', 'method'), name='visitmonth_one_per_month')],
                    },
                ),
            ],
        ),
    ]
