"""Fault campaigns on the real MicroPython interpreter: power cuts at every block write,
syncs broken at every step, a full flash.  `make faults` runs every index; the normal
suite runs a sample of each (tests/faults/test_faults_sample.py)."""
