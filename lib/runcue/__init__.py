"""runcue's portable core: the same files run on CPython and on the watch."""

VERSION = "0.1.0"
