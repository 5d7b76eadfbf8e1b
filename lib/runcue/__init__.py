"""runcue's portable core: the same files run on CPython and on the watch."""

VERSION = "0.1.0"
CRASH_FILE = "/crash"  # the note of the app's last crash (firmware/crash.py); info() reports it
