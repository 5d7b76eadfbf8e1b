"""The desk's archive: opened per request by the function the ``runcue`` command opens it with.

Reading pages open it read-only (nothing is migrated or switched, as ``runcue sessions``);
a sync or a push opens it for writing, as ``runcue sync`` does.  At the desk's start it is
opened for writing once, so a new archive exists (empty) and an old one is migrated before
the first page reads it.
"""

from runcue_host.archive import Archive


def open_archive(spec, write=False):
    """The archive at ``spec`` (a path or a PostgreSQL URL; None: ``RUNCUE_ARCHIVE`` or the default
    file); ``with`` it, it is closed again.  On PostgreSQL the database shows the connected therapist
    only their clients, and what a page reads of a client's data goes into the audit log."""
    return Archive(spec) if write else Archive(spec, read_only=True)


def prepare(spec):
    """Create or migrate the archive at ``spec``; ArchiveError (one line) when it cannot be."""
    with open_archive(spec, write=True):
        pass


def library(arc):
    """The practice's programs: those saved or pushed on their own (not a plan's sessions),
    [{"id", "name", "total_ms"}] by name."""
    rows = arc.execute("SELECT id, name, total_ms FROM programs WHERE id NOT IN"
                       " (SELECT program_id FROM plan_programs) ORDER BY name, id").fetchall()
    return [{"id": r[0], "name": r[1], "total_ms": r[2]} for r in rows]


def stored_plans(arc):
    """Every plan the archive keeps (pushed or added), as ``runcue.plan.Plan``, by name."""
    from runcue import plan as plan_mod

    rows = arc.execute("SELECT json FROM plans ORDER BY name, id").fetchall()
    return [plan_mod.loads(r[0]) for r in rows]
