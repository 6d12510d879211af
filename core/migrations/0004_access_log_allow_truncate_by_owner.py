from django.db import migrations

# Row-level UPDATE and DELETE stay refused by trigger. TRUNCATE is a table-owner operation
# that Django's test flush uses; in production the application's role is not the owner and
# holds no TRUNCATE privilege (README, "Deploying"), so the statement trigger goes.
FORWARD = "DROP TRIGGER IF EXISTS core_accesslog_no_truncate ON core_accesslog;"
REVERSE = """
CREATE TRIGGER core_accesslog_no_truncate
    BEFORE TRUNCATE ON core_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION core_accesslog_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0003_access_log_append_only")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
