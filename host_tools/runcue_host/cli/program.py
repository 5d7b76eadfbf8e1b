"""``runcue program check`` and ``runcue program preview`` (``program push`` is in ``cli.push``)."""

from pathlib import Path
from typing import Annotated

import typer

from runcue_host.cli.options import SPEC_HELP, Lang, json_flag
from runcue_host.cli.output import console, key_value_grid, print_json
from runcue_host.timetext import clock


def check(
    spec: Annotated[str, typer.Argument(metavar="SPEC", help=SPEC_HELP, show_default=False)],
    as_json: Annotated[bool, json_flag(
        'Print one JSON document: {"id", "name", "lang", "segments", "total_s", "run_s", "walk_s"}.')] = False,
    lang: Lang = None,
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
    grid.add_row("total", clock(prog.total_ms))
    grid.add_row("run", clock(prog.run_ms))
    grid.add_row("walk", "%s  (warm-up, walk, rest, cool-down)" % clock(prog.total_ms - prog.run_ms))
    try:
        grid.add_row("program", Text(shorthand.format_shorthand(prog.items, prog.lang)))
    except ValueError:  # not whole seconds: cannot be written as shorthand
        pass
    if notes:
        grid.add_row("notes", Text(notes))
    out = console()
    out.print(Text("ok: the program fits the watch", style="green"))
    out.print(grid)


def preview_cmd(
    spec: Annotated[str, typer.Argument(metavar="SPEC", help=SPEC_HELP + " With --session: a plan.",
                                        show_default=False)],
    wav: Annotated[Path | None, typer.Option(
        "--wav", metavar="FILE", help="Also write the session's cues at their real times to a WAV file.",
        dir_okay=False)] = None,
    lang: Lang = None,
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

    from runcue_host.authoring import preview

    title, prog = preview.load(spec, lang, session)
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
