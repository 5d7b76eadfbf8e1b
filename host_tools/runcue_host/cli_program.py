"""``runcue program ...``: check and preview (push comes later)."""

from pathlib import Path
from typing import Annotated

import typer

from runcue_host import UserError
from runcue_host.cli import console, key_value_grid, new_group, print_json

SPEC_HELP = ('A shorthand line such as "5m walk, 8x(60s run, 90s walk), 5m walk" '
             "or a .toml program file.")

group = new_group("Write, check, preview and push interval programs.")


def register(app):
    app.add_typer(group, name="program")


def _clock(seconds):
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return "%d:%02d:%02d" % (h, m, s) if h else "%d:%02d" % (m, s)


@group.command("check")
def check(
    spec: Annotated[str, typer.Argument(metavar="SPEC", help=SPEC_HELP, show_default=False)],
    as_json: Annotated[bool, typer.Option(
        "--json", help='Print one JSON document: {"id", "name", "segments", "total_s", "run_s", "walk_s"}.',
    )] = False,
):
    """Check a program against the watch's limits and print its totals.

    walk counts every segment that is not run: warm-up, walk, rest and cool-down.
    """
    from runcue_host import authoring
    prog, notes = authoring.load_spec(spec)
    info = authoring.summary(prog)
    if as_json:
        print_json(info)
        return
    from rich.text import Text

    grid = key_value_grid()
    grid.add_row("name", Text(prog.name or "(no name)"))
    grid.add_row("id", "%s  (%s)" % (info["id"], prog.lang))
    grid.add_row("segments", str(info["segments"]))
    grid.add_row("total", _clock(info["total_s"]))
    grid.add_row("run", _clock(info["run_s"]))
    grid.add_row("walk", "%s  (warm-up, walk, rest, cool-down)" % _clock(info["walk_s"]))
    try:
        grid.add_row("program", Text(authoring.format_shorthand(prog.items)))
    except ValueError:  # not whole seconds: cannot be written as shorthand
        pass
    if notes:
        grid.add_row("notes", Text(notes))
    out = console()
    out.print(Text("ok: the program fits the watch", style="green"))
    out.print(grid)


@group.command("preview")
def preview_cmd(
    spec: Annotated[str, typer.Argument(metavar="SPEC", help=SPEC_HELP + " With --session: a plan.",
                                        show_default=False)],
    wav: Annotated[Path | None, typer.Option(
        "--wav", metavar="FILE", help="Also write the session's cues at their real times to a WAV file.",
        dir_okay=False)] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", metavar="nl|en", help="Language of the table (default: the program's).")] = None,
    compress_silence: Annotated[bool, typer.Option(
        "--compress-silence", help="In the WAV, shorten every silence over 3 s to 1 s.")] = False,
    session: Annotated[int | None, typer.Option(
        "--session", metavar="N", help="Preview session N (from 1) of a plan: SPEC is a built-in plan "
        "name or a plan .toml file.")] = None,
):
    """Show a program's timeline (segments, rounds, start times, totals) and render its cues.

    The WAV holds what the watch plays when the session runs straight through: the cue of
    each segment, the 3-2-1 countdown before each change and the finish, halfway and the
    finish; mono, 16-bit, 16 kHz (about 1.9 MB a minute uncompressed).
    """
    from rich.text import Text

    from runcue_host import authoring, plans, preview

    if lang is not None and lang.strip().lower() not in preview.KIND_TEXTS:
        raise UserError("--lang: %s is not one of %s" % (authoring.quote(lang), ", ".join(preview.KIND_TEXTS)))
    if session is not None:
        pf = plans.resolve(spec)
        count = len(pf.plan.sessions)
        if not 1 <= session <= count:
            raise UserError("--session: %d is not a session of %s (1 to %d)" % (session, pf.where, count))
        week, prog = pf.plan.sessions[session - 1]
        title = "%s · week %d · %s" % (pf.plan.name, week, prog.name)
    else:
        prog, _notes = authoring.load_spec(spec)
        title = prog.name
    lang = lang.strip().lower() if lang else prog.lang
    played = preview.play(prog)
    info = preview.write_wav(wav, played, compress_silence=compress_silence) if wav is not None else None
    out = console()
    out.print(Text(title or "(no name)", style="bold"))
    grid, totals = preview.table(prog, lang)
    out.print(grid)
    out.print(Text(totals))
    kinds = {}
    for _t, name in played.cues:
        kinds[name] = kinds.get(name, 0) + 1  # in order of first use
    out.print(Text("cues: %d (%s)" % (len(played.cues), ", ".join("%s %d" % kv for kv in kinds.items()))),
              soft_wrap=True)
    if info is not None:
        out.print(Text("wrote %s: %s, %.1f MB, %d Hz mono 16-bit%s" % (
            info.path, preview.clock(info.duration_ms), info.bytes / 1e6, info.rate,
            "; silences over %d s shortened to %d s" % (preview.COMPRESS_OVER_MS // 1000,
                                                       preview.COMPRESS_TO_MS // 1000)
            if info.compressed else "")), soft_wrap=True)
