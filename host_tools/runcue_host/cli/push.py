"""``runcue program push`` and ``runcue plan push``: a thin layer over ``watch.push``."""

from typing import Annotated

import typer

from runcue_host.cli.options import PLAN_HELP, SPEC_HELP, Archive, Lang, Port
from runcue_host.cli.output import say, warn

AtOpt = Annotated[str | None, typer.Option(
    "--at", metavar="W<week>S<n>", show_default=False,
    help="Place the client here: W3S1 is week 3, session 1 (W3: its first session). On the plan in force it "
         "moves them, also back: to repeat week 2, --at W2.")]
LANGUAGE = {"en": "in English", "nl": "in Dutch"}


def push_program(spec: Annotated[str, typer.Argument(metavar="SPEC", help=SPEC_HELP)],
                 port: Port = None, archive: Archive = None, lang: Lang = None):
    """Send a program to the watch; it replaces the program or plan in force there.

    The archive keeps a copy, so synced sessions can show what was planned.
    """
    from runcue_host.authoring import program_file
    from runcue_host.watch import push

    prog, _notes = program_file.load_spec(spec, lang)
    done = push.push_program(prog, port, archive)
    say("program %s (%s) is in force on the watch, %s" % (done["name"], done["id"], LANGUAGE[done["lang"]]))


def push_plan(plan_file: Annotated[str, typer.Argument(metavar="PLAN", help=PLAN_HELP)],
              port: Port = None, archive: Archive = None, lang: Lang = None, at: AtOpt = None):
    """Send a plan to the watch; pushing the same plan again keeps the client's place in it (or moves it: --at).

    The archive keeps a copy, so synced sessions can show what was planned.
    """
    from runcue_host.authoring import plan_file as plans
    from runcue_host.watch import push

    done = push.push_plan(plans.resolve(plan_file, lang), port, archive, at, on_warning=warn)
    n = done["sessions"]
    where = ("%s (session %d of %d)" % (done["place"], done["pos"] + 1, n) if done["place"]
             else "the end: the plan is done" if done["done"] else "session ? of %d" % n)
    say("plan %s (%s) is in force on the watch, %s: next is %s" % (
        done["name"], done["id"], LANGUAGE[done["lang"]], where))
