"""The clinic's access control on PostgreSQL: roles, grants, row-level security, the append-only audit log.

Applied by ``runcue clinic init`` after the schema (``schema.MIGRATIONS``), by
the role that owns the tables (the practice's database owner): that owner is
the audit log's owner, and the only role that could change it (by dropping its
triggers).  Every statement is idempotent: a second init changes nothing.

* ``runcue_admin`` (the practice's admin: sees every client, assigns clients,
  reads the audit log) and ``runcue_therapist`` (the group of every therapist's
  login role) are NOLOGIN group roles;
* row-level security, in the database: a therapist's queries see (and its
  writes may touch) only the rows of clients assigned to them
  (``clients.therapist = current_user``); an unassigned watch is the admin's;
* ``audit_log``: INSERT for both groups, SELECT for the admin, no UPDATE,
  DELETE or TRUNCATE granted to anyone, and triggers refuse them even to the
  owner; another trigger stamps each row with the server's time and the
  connected user, so no client can write another user's name or time.

PostgreSQL only: SQLite has no roles; a lone therapist's file needs none.
Policies reach the clients table through plain subqueries, which row-level
security filters again, so no function needs to run with its owner's rights.
"""

ADMIN_ROLE = "runcue_admin"
THERAPIST_ROLE = "runcue_therapist"
_IS_ADMIN = "pg_has_role(current_user, '%s', 'member')" % ADMIN_ROLE

# table -> the rows a user may see and write, besides the admin who may all
VISIBLE = {
    "clients": "therapist = current_user",
    "devices": "client IN (SELECT code FROM clients)",
    "sessions": "client IN (SELECT code FROM clients)",
    "syncs": "EXISTS (SELECT 1 FROM devices d WHERE d.device_id = syncs.device_id)",
    "segments": "EXISTS (SELECT 1 FROM sessions s WHERE s.device_id = segments.device_id AND s.seq = segments.seq)",
    "raw_records": ("EXISTS (SELECT 1 FROM sessions s WHERE s.device_id = raw_records.device_id"
                    " AND s.seq = raw_records.seq)"),
}

# (privileges, tables, roles); the schema's USAGE is granted apart (its name is the connection's)
GRANTS = (
    ("SELECT", "schema_version, programs, plans, plan_programs, clients", "runcue_therapist, runcue_admin"),
    ("INSERT", "programs, plans, plan_programs", "runcue_therapist, runcue_admin"),
    ("SELECT, INSERT, UPDATE", "devices, syncs, sessions, segments", "runcue_therapist, runcue_admin"),
    ("SELECT, INSERT", "raw_records", "runcue_therapist, runcue_admin"),
    ("INSERT, UPDATE", "clients", "runcue_admin"),
    ("SELECT, INSERT", "therapists", "runcue_admin"),
    ("INSERT", "audit_log", "runcue_therapist, runcue_admin"),
    ("SELECT", "audit_log", "runcue_admin"),
)


def _create_role(name):
    return ("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{0}') THEN"
            " CREATE ROLE {0} NOLOGIN; END IF; END $$".format(name))


def _policy(table, rule):
    return ("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = current_schema()"
            " AND tablename = '{t}' AND policyname = '{t}_by_therapist') THEN"
            " CREATE POLICY {t}_by_therapist ON {t} FOR ALL USING ({a} OR {r}) WITH CHECK ({a} OR {r});"
            " END IF; END $$".format(t=table, a=_IS_ADMIN, r=rule))


AUDIT_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION runcue_audit_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW.at := floor(extract(epoch FROM clock_timestamp()));
         NEW.db_user := current_user;
         RETURN NEW;
       END $$""",
    """CREATE OR REPLACE FUNCTION runcue_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
       END $$""",
    "CREATE OR REPLACE TRIGGER audit_stamp BEFORE INSERT ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION runcue_audit_stamp()",
    "CREATE OR REPLACE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION runcue_audit_refuse()",
    "CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION runcue_audit_refuse()",
)


def statements(schema):
    """Every statement of the clinic's access control, in order, for the schema named ``schema``
    (already quoted as an identifier)."""
    out = [_create_role(ADMIN_ROLE), _create_role(THERAPIST_ROLE),
           "GRANT USAGE ON SCHEMA %s TO %s, %s" % (schema, ADMIN_ROLE, THERAPIST_ROLE)]
    out += ["GRANT %s ON %s TO %s" % grant for grant in GRANTS]
    for table, rule in VISIBLE.items():
        out.append("ALTER TABLE %s ENABLE ROW LEVEL SECURITY" % table)
        out.append(_policy(table, rule))
    return out + list(AUDIT_TRIGGERS)
