"""The watch's firmware as the host ships it (package ``runcue_firmware`` of the wheel).

Only a marker, so that importlib.resources finds this tree in a wheel and in an
editable install alike; the host never imports the firmware, and this file is
not part of what goes on a watch (``runcue_host/watch/manifest.py`` says what is).
"""
