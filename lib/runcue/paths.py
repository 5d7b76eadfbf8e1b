"""Where the watch keeps its files: the one list, for the app, the sync service and the host's tools.

Everything lives on the flash mounted at '/'.  A plan in force is an index
(``PLAN_INDEX``, the commit point of a push) and one file holding its
sessions' programs back to back (``plan_sessions``); see ``runcue.planstore``.
"""

PROGRAM_FILE = "/program.json"  # the program in force when no plan is
PLAN_INDEX = "/plan.json"  # the plan in force: its index, when present (a program push removes it)
PLAN_DIR = "/plan"  # the sessions of the plan in force, and of a push under way
PLAN_PENDING = "/plan/new"  # the sessions of a plan push under way (put_session appends to it)
PLAN_STATE = "/plan_state"  # the client's place in the plan
CLIENT_FILE = "/client"  # the code, then the seq from which its sessions are the client's ("C03\n7")
NOTE_FILE = "/note"  # left by the sync service, read once by the home screen: "synced N" or "program"
CRASH_FILE = "/crash"  # the note of the app's last crash (firmware/crash.py); info() reports it
LOG_DIR = "/log"


def plan_sessions(plan_id):
    """The file of the sessions of the plan ``plan_id`` (named by its id: a push of another plan
    writes beside it, never over it)."""
    return PLAN_DIR + "/" + plan_id
