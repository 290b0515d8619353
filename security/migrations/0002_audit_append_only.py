"""On PostgreSQL, audit rows cannot be changed or removed, even with raw SQL.

UPDATE, DELETE and TRUNCATE on security_auditevent raise unless the transaction has run
``set_config('mpoffice.audit_purge', 'on', true)`` — which only audited purges (an office
leaving, retention) and the test database flush do. SQLite (the demo) has no such trigger.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION security_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('mpoffice.audit_purge', true), '') = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION 'security_auditevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER security_audit_no_update_delete
    BEFORE UPDATE OR DELETE ON security_auditevent
    FOR EACH ROW EXECUTE FUNCTION security_audit_append_only();

CREATE TRIGGER security_audit_no_truncate
    BEFORE TRUNCATE ON security_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION security_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS security_audit_no_truncate ON security_auditevent;
DROP TRIGGER IF EXISTS security_audit_no_update_delete ON security_auditevent;
DROP FUNCTION IF EXISTS security_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
