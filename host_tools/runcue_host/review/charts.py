"""The report's charts as inline SVG text, made with matplotlib's SVG backend.

No pyplot (no global figure state, no GUI backend): each chart is a
``Figure`` saved as SVG with text kept as text, no metadata, and every id
prefixed with the chart's own name so several charts live in one page.
Colours are the Okabe-Ito palette (told apart with colour-blindness too).
"""

import io
import re
from collections import Counter
from typing import Any

from runcue_host.timetext import DAY_MONTH, utc

COMPLETED, STOPPED, INTERRUPTED = "#009E73", "#E69F00", "#999999"
PLANNED, BEFORE, AFTER, TARGET = "#0072B2", "#56B4E9", "#D55E00", "#CC79A7"
STATUS_COLOURS = {"completed": COMPLETED, "stopped": STOPPED, "interrupted": INTERRUPTED}
_RC: Any = {"svg.fonttype": "none", "svg.hashsalt": "runcue", "font.family": "DejaVu Sans", "font.size": 9,
       "axes.spines.top": False, "axes.spines.right": False}


def session_labels(sessions):
    """One x label a session: its day, and "(1)", "(2)" when a day has more than one."""
    days = [utc(s["started_at"], DAY_MONTH) for s in sessions]
    per_day = Counter(days)
    seen = {}
    out = []
    for d in days:
        if per_day[d] > 1:
            seen[d] = seen.get(d, 0) + 1
            d = "%s (%d)" % (d, seen[d])
        out.append(d)
    return out


def _svg(fig, name, title):
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    svg = re.sub(r'id="([^"]+)"', r'id="%s-\1"' % name, svg)
    svg = re.sub(r"url\(#([^)]+)\)", r"url(#%s-\1)" % name, svg)
    svg = re.sub(r'href="#([^"]+)"', r'href="#%s-\1"' % name, svg)
    svg = svg.replace("<svg", '<svg role="img" aria-label="%s"' % title.replace('"', "&quot;"), 1)
    return svg.strip()


def _figure(width=7.0, height=2.4):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def _ticks(ax, labels):
    step = max(1, (len(labels) + 13) // 14)
    ax.set_xticks(range(0, len(labels), step))
    ax.set_xticklabels(labels[::step], rotation=0)


def weeks_chart(name, weeks, t):
    """Sessions per week by status, with the plan's target as a line."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig, ax = _figure()
        x = list(range(len(weeks)))
        bottom = [0] * len(weeks)
        for key, colour in (("completed", COMPLETED), ("stopped", STOPPED), ("interrupted", INTERRUPTED)):
            values = [w[key] for w in weeks]
            ax.bar(x, values, bottom=bottom, color=colour, label=t["status_" + key], width=0.7)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        target = weeks[0]["target"] if weeks else None
        if target:
            ax.axhline(target, color=TARGET, linestyle="--", linewidth=1.5, label=t["target"])
        ax.set_ylabel(t["sessions"])
        ax.set_ylim(0, max(bottom + [target or 0, 1]) + 1)
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        _ticks(ax, [utc(w["start"], DAY_MONTH) for w in weeks])
        ax.set_xlabel(t["week_of"])
        ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=4)
        return _svg(fig, name, t["chart_weeks"])


def sessions_chart(name, sessions, t):
    """Planned (outline) and done (filled, by status) minutes of each session."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig, ax = _figure()
        x = list(range(len(sessions)))
        planned = [(s["planned_s"] or 0) / 60.0 for s in sessions]
        done = [s["done_s"] / 60.0 for s in sessions]
        ax.bar(x, planned, width=0.8, color="none", edgecolor=PLANNED, linewidth=1.2, label=t["planned"])
        ax.bar(x, done, width=0.5, color=[STATUS_COLOURS[s["status"]] for s in sessions], label=t["done"])
        ax.set_ylabel(t["minutes"])
        _ticks(ax, session_labels(sessions))
        ax.set_xlabel(t["session_on"])
        ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=2)
        ax.set_ylim(0, max(planned + done + [1]) * 1.25)
        return _svg(fig, name, t["chart_sessions"])


def run_chart(name, weeks, t):
    """Minutes of running per week (run segments' active time)."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig, ax = _figure(height=2.0)
        ax.bar(range(len(weeks)), [w["run_min"] for w in weeks], color=PLANNED, width=0.7)
        ax.set_ylabel(t["run_minutes"])
        _ticks(ax, [utc(w["start"], DAY_MONTH) for w in weeks])
        ax.set_xlabel(t["week_of"])
        return _svg(fig, name, t["chart_run"])


def mood_chart(name, sessions, t):
    """Mood before and after each session, 1 (bad) to 5 (good) as the watch asks it; unanswered
    points are left out."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig, ax = _figure(height=2.2)
        for key, colour, marker in (("mood_before", BEFORE, "o"), ("mood_after", AFTER, "s")):
            pts = [(i, s[key]) for i, s in enumerate(sessions) if s[key]]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], color=colour, marker=marker, label=t[key])
        for i, s in enumerate(sessions):
            if s["talk"] == "no":
                ax.annotate(t["talk_no_mark"], (i, 0.55), ha="center", color=AFTER, fontsize=8)
        ax.set_ylim(0.3, 5.5)
        bad, good = t["mood_ends"]
        ax.set_yticks([1, 2, 3, 4, 5], ["1 " + bad, "2", "3", "4", "5 " + good])
        ax.set_xlim(-0.5, len(sessions) - 0.5)
        _ticks(ax, session_labels(sessions))
        ax.set_ylabel(t["mood"])
        ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=2)
        return _svg(fig, name, t["chart_mood"])
