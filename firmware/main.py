"""Boot the watch: pick the board, mount the flash, recover the log, run the app.

A Ctrl-C from the laptop (mpremote entering the raw REPL to sync) stops the
app only when no session is in progress: a run is never interrupted by the
host, which then reports the watch busy.  Any other exception ends only this
App: the crash keeper notes it and shows it, and a new App goes on with the
session where the clock says it is (crash.py).
"""

# First the core's table of segment start times (1 KB in one piece), made while the heap is still
# whole: made after the board and the app, it may find only scattered holes.
import runcue.program  # noqa: F401, I001

import gc
import boards

board = boards.load()
board.mount()

import app  # noqa: E402  (after the flash is mounted: the app opens the log)

keeper = None  # the crash keeper (crash.py) loads at the first crash: its code stays out of the heap till then
watch = None
after_crash = None  # None: this is the boot
while True:
    try:
        if watch is None:
            watch = app.App(board, after_crash)
        watch.run()
    except KeyboardInterrupt:
        if watch is None or not watch.in_session():
            board.release()  # the host takes the REPL: keep the watchdog from resetting it
            raise
        print("runcue: session in progress")  # the host reads this and reports the watch busy
    except Exception as e:  # noqa: BLE001  (whatever it was, the watch must not die of it)
        gc.collect()
        if keeper is None:
            try:
                import crash
            except MemoryError:  # no room even for the keeper: let the app go first
                watch = None
                gc.collect()
                import crash
            keeper = crash.Keeper(board)
        try:
            keeper.crashed(e, watch)
        except KeyboardInterrupt:  # the host, on the crash screen: it gets the REPL
            board.release()
            raise
        watch = None
        gc.collect()
        after_crash = keeper.after_crash
