"""Boot the watch: pick the board, mount the flash, recover the log, run the app.

A Ctrl-C from the laptop (mpremote entering the raw REPL to sync) stops the
app only when no session is in progress: a run is never interrupted by the
host, which then reports the watch busy.
"""

import boards

board = boards.load()
board.mount()

import app  # noqa: E402  (after the flash is mounted: the app opens the log)

watch = app.App(board)
while True:
    try:
        watch.run()
    except KeyboardInterrupt:
        if not watch.in_session():
            raise
        print("runcue: session in progress")  # the host reads this and reports the watch busy
