"""The simulator's host half: the unmodified firmware on the real MicroPython unix port.

``from runcue_host import sim`` gives the whole toolkit, from the modules that own it:

* image.py: the flash image (create, check, lock, its battery-backed clock)
* run.py: one ``sim run`` (RunResult, the buzzer timeline) and ``read_flash``
* png.py: screenshots as PNG
* clients.py: scripted clients (``client_session``, ``default_client``) and the screen names
* twin.py: ``sim twin`` (the watch on a pty) and TwinProcess (one started as a command)
* demo.py: ``make demo``
"""

from runcue_host.sim.clients import DAY_MS, client_session, default_client, screen_names
from runcue_host.sim.image import (
    BLOCK_SIZE,
    BLOCKS,
    RTC_BYTES,
    SimError,
    check_new_file,
    create_image,
    image_bytes,
    lock_image,
    open_image,
    set_image_clock,
)
from runcue_host.sim.png import png_bytes, png_mono, write_screenshots
from runcue_host.sim.run import (
    HOME,
    MICROPYTHON,
    SIMULATOR,
    RunResult,
    boot_config,
    micropython_cmd,
    micropython_env,
    read_flash,
    run,
    timeline,
    write_config,
)

__all__ = [
    "BLOCK_SIZE", "BLOCKS", "DAY_MS", "HOME", "MICROPYTHON", "RTC_BYTES", "SIMULATOR", "RunResult", "SimError",
    "boot_config", "check_new_file", "client_session", "create_image", "default_client", "image_bytes",
    "lock_image", "micropython_cmd", "micropython_env", "open_image", "png_bytes", "png_mono", "read_flash",
    "run", "screen_names", "set_image_clock", "timeline", "write_config", "write_screenshots",
]
