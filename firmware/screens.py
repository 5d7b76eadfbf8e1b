"""The watch's screens, one small class each.

Every screen has ``NAME`` (what the simulator reports and tests look for),
``draw()`` and ``press(button)``; the App calls them and owns the session.
Two buttons run everything: A (front) says yes/start/pause, B (side) moves
to the next option or skips a segment; a long press on A asks to stop.
"""

from boards import BTN_A, BTN_B, LONG
from runcue import engine, program, records
from ui import mmss


class Screen:
    NAME = ""

    def __init__(self, app):
        self.app = app
        self.t = app.t
        self.p = app.painter

    def draw(self):
        pass

    def press(self, button):
        pass


class Home(Screen):
    """Next session: its name, length and shape; this week; and what the watch wants from you."""

    NAME = "home"

    def draw(self):
        app, p, t = self.app, self.p, self.t
        if app.prog is None:
            p.centred("runcue", 0)
            finished = app.progress is not None and app.progress.finished()
            p.centred(t["plan_done"] if finished else t["no_program"], 20)
            if app.prog_error:
                p.text(app.prog_error[:16], 0, 32)
            return
        prog = app.prog
        p.fitted(prog.name, 0)
        p.centred(t["minutes"] % max(1, program.minutes(prog.total_ms)), 10)
        count, parts = program.shape(prog.items)
        words = t["words"]
        shown = ["%s %s" % (words[k], program.clock_text(ms)) for k, ms in parts]
        if count:
            shown[:1] = ["%dx %s" % (count, shown[0] if shown else "...")]
        p.fitted(shown[0], 19)
        if len(shown) > 1:
            p.fitted(" / ".join(shown[1:]), 28)
        if app.store.logging_off:
            p.centred(t["logging_off"], 38)
            p.centred(t["sync_me"], 47)
        else:
            self._week(38, 47)
        p.text(t["start"], 0, 56)
        bat = app.board.battery_pct()
        if bat >= 0:
            p.text("%d%%" % bat, 96, 56)

    def _week(self, y1, y2):
        """This week's count, and the plan's advice for today (advice only: A still starts)."""
        app, p, t = self.app, self.p, self.t
        week = app.week_count()
        if week is None:
            if app.note:
                p.centred(app.note, y2)
            return
        from runcue import plan  # loaded already: there is a plan

        now = app.board.rtc()
        why, day = app.progress.advice(now)
        p.centred((t["week_done"] if why == plan.WEEK_DONE else t["week"]) % week, y1)
        if app.note:
            p.centred(app.note, y2)
        elif why == plan.WEEK_DONE:
            p.centred(t["next_week"] % t["days"][plan.weekday(day)], y2)
        elif why == plan.REST_DAY and plan.day_of(now) > app.progress.last_day:
            p.centred(t["rest_today"], y2)
        elif why == plan.REST_DAY:  # the run was today
            p.centred(t["next_run"] % t["days"][plan.weekday(day)], y2)

    def press(self, button):
        if button == BTN_A and self.app.prog is not None:
            self.app.note = ""
            self.app.go(MoodBefore)


class _Choice(Screen):
    """A question answered by stepping through options with B and taking one with A."""

    OPTIONS = ()
    selected = 0

    def options(self):
        return self.OPTIONS

    def title(self):
        return ""

    def chosen(self, i):
        pass

    def draw(self):
        self.p.choice(self.title(), self.options(), self.selected)
        self.p.text(self.t["next"], 0, 56)

    def press(self, button):
        if button == BTN_B:
            self.selected = (self.selected + 1) % len(self.options())
            self.app.redraw()
        elif button == BTN_A:
            self.chosen(self.selected)


class MoodBefore(_Choice):
    """How the client feels, 1 (bad) to 5 (good), or skipped; asked before the start."""

    NAME = "checkin_before"

    def options(self):
        return range(6)  # 0: skip, 1-5: the answer

    def title(self):
        return self.t["mood_before"]

    def draw(self):
        t = self.t
        self.p.scale(self.title(), t["mood_ends"], t["skip"], self.selected)
        self.p.text(t["next"], 0, 56)
        if self.app.battery_short():
            self.p.centred(t["battery_low"], 47)

    def chosen(self, i):
        self.app.start_session(i)  # 0: skipped, else mood 1-5


class Running(Screen):
    """Segment kind in big letters, time left, round i/n, whole-session bar."""

    NAME = "running"

    def draw(self):
        app, p, t = self.app, self.p, self.t
        s = app.session
        now = app.board.ticks()
        exp = s.exp
        if exp.rounds[s.seg]:
            p.text(t["round"] % (exp.round_no[s.seg], exp.rounds[s.seg]), 0, 0)
        p.text("%d/%d" % (s.seg + 1, s.n), 128 - 8 * len("%d/%d" % (s.seg + 1, s.n)), 0)
        p.centred(t["kinds"][s.kind], 11, 2)
        p.centred(mmss(s.remaining_ms(now)), 30, 3)
        p.bar(57, s.total_ms - s.session_remaining_ms(now), s.total_ms)

    def press(self, button):
        app = self.app
        if button == BTN_A:
            app.pause()
        elif button == BTN_B:
            app.skip()
        elif button == BTN_A + LONG:
            app.go(StopConfirm)


class Paused(Screen):
    NAME = "paused"

    def draw(self):
        app, p, t = self.app, self.p, self.t
        s = app.session
        p.centred(t["paused"], 8, 2)
        p.centred(t["kinds"][s.kind] + " " + mmss(s.remaining_ms(app.board.ticks())), 32)
        p.text(t["resume"], 0, 56)

    def press(self, button):
        if button == BTN_A:
            self.app.resume()
        elif button == BTN_A + LONG:
            self.app.go(StopConfirm)


class StopConfirm(Screen):
    NAME = "stop_confirm"

    def draw(self):
        p, t = self.p, self.t
        p.centred(t["stop_q"], 16)
        p.text(t["stop_yes"], 0, 40)
        p.text(t["stop_no"], 0, 52)

    def press(self, button):
        app = self.app
        if button == BTN_A:
            app.stop()
        elif button == BTN_B:
            app.go(Paused if app.session.state == engine.PAUSED else Running)


class MoodAfter(MoodBefore):
    """The same scale after the run, under its own title (the two answers are compared)."""

    NAME = "checkin_after"

    def title(self):
        return self.t["mood_after"]

    def draw(self):
        t = self.t
        self.p.scale(self.title(), t["mood_ends"], t["skip"], self.selected)
        self.p.text(t["next"], 0, 56)

    def chosen(self, i):
        self.app.answers[0] = i
        self.app.go(TalkTest)


class TalkTest(_Choice):
    NAME = "checkin_talk"

    def options(self):
        return (self.t["yes"], self.t["no"], self.t["skip"])

    def title(self):
        return self.t["talk"]

    def chosen(self, i):
        app = self.app
        app.answers[1] = (1, 2, 0)[i]  # records: 1 talked, 2 could not, 0 skipped
        if app.session.status == engine.STOPPED:
            app.go(StopReason)
        else:
            app.finish_checkin()


class StopReason(_Choice):
    NAME = "checkin_reason"

    def options(self):
        return self.t["reasons"][1:] + (self.t["skip"],)

    def title(self):
        return self.t["why"]

    def chosen(self, i):
        self.app.answers[2] = 0 if i == len(records.REASONS) - 1 else i + 1
        self.app.finish_checkin()


class Summary(Screen):
    """What was done, in kind words: no "not met", no "of 30:00" (the exact figures go to the therapist)."""

    NAME = "summary"

    def draw(self):
        app, p, t = self.app, self.p, self.t
        mins = program.minutes(app.done_ms)  # floor, as the archive's whole seconds: they agree
        p.centred(t["out_min"][mins != 1] % mins if mins else t["out"], 12)
        p.centred(t["well_done"], 24)
        if app.session.status == engine.COMPLETED:
            p.centred(t["whole"], 38)
        p.text("A: ok", 0, 56)

    def press(self, button):
        if button == BTN_A:
            self.app.close_session()


class Crash(Screen):
    """The app died of an exception and starts again; a session in progress goes on.

    Drawn for ``crash.Keeper`` (its ``t``, ``painter``, ``what`` and ``stuck``), not
    for an App: the app is what failed.
    """

    NAME = "crash"

    def draw(self):
        k, p, t = self.app, self.p, self.t
        p.centred(t["crash"], 8, 2)
        p.centred(k.what[:16], 32)
        p.text(t["crash_stuck"] if k.stuck else t["crash_wait"], 0, 56)
