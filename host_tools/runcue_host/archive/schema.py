"""The archive's schema: ordered migrations, each applied once in its own transaction.

To change the schema, append ``(2, [statements])``: never edit a released
version.  Plain SQL that PostgreSQL runs too: explicit types, composite keys
instead of rowid.  Times are unix seconds (UTC) in BIGINT.
Check-in answers are columns of ``sessions`` (one check-in per session).

Version 2 is the clinic's: ``therapists`` (a therapist is a database login
role of that name), the therapist who treats each client (``clients.therapist``;
set by ``runcue clinic assign``), and ``audit_log``, the NEN 7513 access log
(what, when, which client, which database user, on whose behalf, from which
command).  Both engines have these tables; only PostgreSQL has the roles, the
row-level security and the append-only triggers over them (``security``).
"""

# BYTEA is PostgreSQL's type for bytes; SQLite keeps a blob unchanged under any type name.
MIGRATIONS = [
    (1, [
        """CREATE TABLE clients (code VARCHAR(16) NOT NULL PRIMARY KEY, first_seen BIGINT NOT NULL)""",
        """CREATE TABLE devices (device_id VARCHAR(16) NOT NULL PRIMARY KEY,
            client VARCHAR(16) REFERENCES clients (code),
            first_seen BIGINT NOT NULL, last_sync BIGINT NOT NULL)""",
        """CREATE TABLE syncs (device_id VARCHAR(16) NOT NULL REFERENCES devices (device_id),
            host_time BIGINT NOT NULL, device_clock BIGINT NOT NULL, uptime_s BIGINT NOT NULL,
            boots INTEGER NOT NULL, new_sessions INTEGER NOT NULL, new_bytes INTEGER NOT NULL,
            PRIMARY KEY (device_id, host_time))""",
        """CREATE TABLE programs (id VARCHAR(16) NOT NULL PRIMARY KEY, name VARCHAR(40) NOT NULL,
            total_ms BIGINT NOT NULL, run_ms BIGINT NOT NULL, json TEXT NOT NULL)""",
        """CREATE TABLE plans (id VARCHAR(16) NOT NULL PRIMARY KEY, name VARCHAR(40) NOT NULL,
            per_week INTEGER NOT NULL, json TEXT NOT NULL)""",
        """CREATE TABLE plan_programs (plan_id VARCHAR(16) NOT NULL REFERENCES plans (id),
            pos INTEGER NOT NULL, week INTEGER NOT NULL,
            program_id VARCHAR(16) NOT NULL REFERENCES programs (id), PRIMARY KEY (plan_id, pos))""",
        """CREATE TABLE sessions (device_id VARCHAR(16) NOT NULL REFERENCES devices (device_id),
            seq BIGINT NOT NULL, client VARCHAR(16) REFERENCES clients (code),
            program_id VARCHAR(16) NOT NULL, plan_week INTEGER, plan_session INTEGER,
            started_at BIGINT NOT NULL, started_approx BOOLEAN NOT NULL,
            status VARCHAR(12) NOT NULL CHECK (status IN ('completed', 'stopped', 'interrupted')),
            planned_s INTEGER, done_s INTEGER NOT NULL, wall_s INTEGER NOT NULL,
            mood_before SMALLINT, mood_after SMALLINT, talk VARCHAR(3), stop_reason VARCHAR(8),
            logged_whole BOOLEAN NOT NULL, synced_at BIGINT NOT NULL,
            PRIMARY KEY (device_id, seq))""",
        """CREATE TABLE segments (device_id VARCHAR(16) NOT NULL, seq BIGINT NOT NULL,
            idx INTEGER NOT NULL, kind VARCHAR(8), planned_ms BIGINT, start_ms BIGINT NOT NULL,
            done_ms BIGINT NOT NULL, skipped BOOLEAN NOT NULL, PRIMARY KEY (device_id, seq, idx),
            FOREIGN KEY (device_id, seq) REFERENCES sessions (device_id, seq))""",
        """CREATE TABLE raw_records (device_id VARCHAR(16) NOT NULL, seq BIGINT NOT NULL,
            idx INTEGER NOT NULL, rtype SMALLINT NOT NULL, bytes BYTEA NOT NULL,
            PRIMARY KEY (device_id, seq, idx),
            FOREIGN KEY (device_id, seq) REFERENCES sessions (device_id, seq))""",
        "CREATE INDEX sessions_by_client ON sessions (client, started_at)",
    ]),
    (2, [
        """CREATE TABLE therapists (name VARCHAR(63) NOT NULL PRIMARY KEY, added_at BIGINT NOT NULL)""",
        "ALTER TABLE clients ADD COLUMN therapist VARCHAR(63) REFERENCES therapists (name)",
        """CREATE TABLE audit_log (at BIGINT NOT NULL, event VARCHAR(16) NOT NULL, client VARCHAR(16),
            db_user VARCHAR(63) NOT NULL, on_behalf VARCHAR(63) NOT NULL, command VARCHAR(80) NOT NULL,
            detail VARCHAR(200) NOT NULL)""",
        "CREATE INDEX audit_by_client ON audit_log (client, at)",
    ]),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]

SESSION_COLUMNS = ("device_id", "seq", "client", "program_id", "plan_week", "plan_session", "started_at",
                   "started_approx", "status", "planned_s", "done_s", "wall_s", "mood_before", "mood_after",
                   "talk", "stop_reason", "logged_whole", "synced_at")
SEGMENT_COLUMNS = ("device_id", "seq", "idx", "kind", "planned_ms", "start_ms", "done_ms", "skipped")
AUDIT_COLUMNS = ("at", "event", "client", "db_user", "on_behalf", "command", "detail")
BOOL_COLUMNS = ("started_approx", "logged_whole", "skipped")

# what `runcue archive copy` carries, parents before children, with each table's key: a client's
# care data (not the practice's therapists, assignments or audit log, which stay with their archive)
COPIED = (
    ("clients", ("code", "first_seen"), ("code",)),
    ("devices", ("device_id", "client", "first_seen", "last_sync"), ("device_id",)),
    ("syncs", ("device_id", "host_time", "device_clock", "uptime_s", "boots", "new_sessions", "new_bytes"),
     ("device_id", "host_time")),
    ("programs", ("id", "name", "total_ms", "run_ms", "json"), ("id",)),
    ("plans", ("id", "name", "per_week", "json"), ("id",)),
    ("plan_programs", ("plan_id", "pos", "week", "program_id"), ("plan_id", "pos")),
    ("sessions", SESSION_COLUMNS, ("device_id", "seq")),
    ("segments", SEGMENT_COLUMNS, ("device_id", "seq", "idx")),
    ("raw_records", ("device_id", "seq", "idx", "rtype", "bytes"), ("device_id", "seq", "idx")),
)
