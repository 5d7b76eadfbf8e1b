"""The simulated watch's boot files as the host ships them (package ``runcue_simulator``).

Only a marker, so that importlib.resources finds this tree in a wheel and in an
editable install alike; the files here run on the MicroPython unix port, never
in the host's CPython.
"""
