"""``runcue sync`` and ``runcue device ...``: a thin layer over ``watch.sync`` and ``watch.device``."""

from typing import Annotated

import typer

from runcue_host.cli.options import Archive, ClientCode, Json, Port
from runcue_host.cli.output import console, key_value_grid, print_json, say, shown
from runcue_host.timetext import SECOND, clock_state, utc
from runcue_host.wording import count


def _watch_label(device_id):
    from runcue_host.archive import watch_label

    return watch_label(device_id)


def sync(
    port: Port = None,
    archive: Archive = None,
    accept_reassign: Annotated[bool, typer.Option(
        "--accept-reassign", help="The watch now belongs to another client: store its sessions under it.")] = False,
    as_json: Json = False,
):
    """Pull the watch's new sessions into the archive (exactly once), then let it free the space."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    from runcue_host.archive.logdecode import CLOCK_OFF_S
    from runcue_host.watch import sync as sync_mod

    bar = Progress(TextColumn("syncing"), BarColumn(), DownloadColumn(), TextColumn("{task.fields[n]}"),
                   console=console(), transient=True, disable=as_json)
    with bar:
        task = bar.add_task("sync", total=None, n="")
        result = sync_mod.sync_archive(port, archive, accept_reassign=accept_reassign,
                                       progress=lambda b, n, log: bar.update(
                                           task, completed=b, total=log, n=count(n, "session", "sessions")))
    if as_json:
        print_json(result)
        return
    for note in result["notes"]:
        say("note: " + note)
    stored = result["stored"]
    say("synced watch %s (client %s): %s, %d already stored, %s" % (
        _watch_label(result["device"]), result["client"] or "none", count(stored["new"], "new session", "new sessions"),
        stored["duplicate"], count(result["read_bytes"], "byte", "bytes")))
    off = result["clock_offset_s"]
    if off is not None and abs(off) > CLOCK_OFF_S:
        say("warning: the watch clock was %s; the times it gave for this sync's sessions are marked approximate "
            "(≈)" % clock_state(off), style="bold")
    if result["clock_set"]:
        say("watch clock set (it was %s)" % clock_state(off))


def info(port: Port = None, as_json: Json = False):
    """What the watch holds: id, client, versions, clock, flash, unsynced sessions, plan position."""
    from runcue_host.watch import device

    data = device.info(port)
    if as_json:
        print_json(data)
        return
    t = key_value_grid()
    t.add_row("device", shown("%s (%s)" % (_watch_label(data["device_id"]), data["device_id"])))
    t.add_row("client", shown("%s (from session %d on)" % (data["client"], data["client_since"]) if data["client"]
                              else "(none assigned)"))
    t.add_row("firmware", shown("%s (records v%s, programs v%s)" % (
        data["firmware"], data["record_format"], data["program_format"])))
    if data["clock_offset_s"] is not None:
        t.add_row("clock", shown("%s UTC (%s)" % (utc(data["clock"], SECOND), clock_state(data["clock_offset_s"]))))
    else:
        t.add_row("clock", "unset (the next sync sets it)")
    t.add_row("flash", "%d KB used by the log, %d KB free of %d KB%s" % (
        data["log_bytes"] // 1024, data["free_bytes"] // 1024, data["flash_bytes"] // 1024,
        "  LOGGING OFF: sync now" if data["logging_off"] else ""))
    t.add_row("unsynced", count(data["unsynced"], "session", "sessions"))
    crash = data.get("crash")
    if isinstance(crash, dict) and isinstance(crash.get("n"), int):  # the watch is not trusted: text only
        t.add_row("crashes", shown("%d, the last: %s at %s" % (crash["n"], str(crash.get("what"))[:40],
                                                               str(crash.get("where") or "?")[:40])))
    _program_row(t, data.get("program"))
    console().print(t)


def _program_row(t, prog):
    """The program or plan in force, as the watch describes it (not trusted: shown as it makes sense)."""
    prog = prog if isinstance(prog, dict) else {}
    if prog.get("error"):  # the file on the watch does not load: nothing is in force
        t.add_row(shown(prog.get("kind")), shown("refused by the watch: %s (push it again)" % prog["error"]))
    elif prog.get("kind") == "plan":
        pos = prog.get("pos")
        t.add_row("plan", shown("%s: session %s of %s next (%s, week %s)" % (
            prog.get("name"), pos + 1 if type(pos) is int else "?", prog.get("sessions"),
            prog.get("next") or "finished", prog.get("week"))))
    elif prog.get("kind") == "program":
        t.add_row("program", shown("%s (%s)" % (prog.get("name"), prog.get("id"))))
    else:
        t.add_row("program", "(none)")


def set_clock(port: Port = None):
    """Set the watch's clock to this laptop's (UTC)."""
    from runcue_host.watch import device

    say("watch clock set (it was %s)" % clock_state(device.set_clock(port)))


def assign(port: Port = None, client: ClientCode = ""):
    """Give the watch to a client, by code (letters, digits, '-' and '_'; at most 16).

    The watch refuses another client while it holds sessions not synced yet: sync first.
    """
    from runcue_host.watch import device

    since = device.assign(client, port)
    say("watch assigned to client %s" % client + (" (from session %d on)" % since if since is not None else ""))
