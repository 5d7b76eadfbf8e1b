"""``runcue program ...``: check and preview (push comes later)."""

from pathlib import Path
from typing import Annotated

import typer

from runcue_host import UserError
from runcue_host.cli import LANG_HELP, console, key_value_grid, new_group, print_json

SPEC_HELP = ('A shorthand line such as "5m walk, 8x(60s run, 90s walk), 5m walk" '
             "or a .toml program file.")

group = new_group("Write, check, preview and push interval programs.")

LangOpt = Annotated[str | None, typer.Option("--lang", metavar="nl|en", help=LANG_HELP, show_default=False)]


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
        "--json", help='Print one JSON document: {"id", "name", "lang", "segments", "total_s", "run_s", '
                       '"walk_s"}.',
    )] = False,
    lang: LangOpt = None,
):
    """Check a program against the watch's limits and print its totals and its language.

    walk counts every segment that is not run: warm-up, walk, rest and cool-down.
    """
    from runcue_host.authoring import program_file, shorthand
    written = program_file.load_authored(spec, lang)
    prog, notes = written.program, written.notes
    info = program_file.summary(prog)
    if as_json:
        print_json(info)
        return
    from rich.text import Text

    grid = key_value_grid()
    grid.add_row("name", Text(prog.name or "(no name)"))
    grid.add_row("id", info["id"])
    grid.add_row("lang", "%s  (%s)" % (prog.lang, written.lang_from))
    grid.add_row("segments", str(info["segments"]))
    grid.add_row("total", _clock(info["total_s"]))
    grid.add_row("run", _clock(info["run_s"]))
    grid.add_row("walk", "%s  (warm-up, walk, rest, cool-down)" % _clock(info["walk_s"]))
    try:
        grid.add_row("program", Text(shorthand.format_shorthand(prog.items, prog.lang)))
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
    lang: LangOpt = None,
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

    Everything is printed in the program's language (Dutch or English), or in the one --lang gives.
    """
    from rich.text import Text

    from runcue_host.authoring import plan_file as plans
    from runcue_host.authoring import preview, program_file

    if session is not None:
        pf = plans.resolve(spec, lang)
        count = len(pf.plan.sessions)
        if not 1 <= session <= count:
            raise UserError("--session: %d is not a session of %s (1 to %d)" % (session, pf.where, count))
        week, prog = pf.plan.sessions[session - 1]
        title = "%s · %s %d · %s" % (pf.plan.name, preview.WORDS[prog.lang]["week"], week, prog.name)
    else:
        prog, _notes = program_file.load_spec(spec, lang)
        title = prog.name
    out_lang = prog.lang
    played = preview.play(prog)
    info = preview.write_wav(wav, played, compress_silence=compress_silence) if wav is not None else None
    out = console()
    out.print(Text(title or preview.WORDS[out_lang]["no_name"], style="bold"))
    grid, totals = preview.table(prog, out_lang)
    out.print(grid)
    out.print(Text(totals))
    out.print(Text(preview.cue_counts(played, out_lang)), soft_wrap=True)
    if info is not None:
        out.print(Text(preview.wrote_text(info, out_lang)), soft_wrap=True)
