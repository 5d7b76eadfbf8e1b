"""The report page: texts in English and Dutch, tables, and the charts placed in them.

Everything the page needs is inside it (CSS in a <style>, charts as inline
SVG); every value from the archive is escaped.
"""

from html import escape

from runcue import program, records
from runcue_host.archive import watch_label
from runcue_host.authoring import preview
from runcue_host.review import charts as report_charts
from runcue_host.timetext import DATE, minutes_clock, utc
from runcue_host.wording import count, plural

TEXTS = {
    "en": {
        "title": "runcue report", "made": "Made %s. Dates and times are UTC; weeks start on Monday.",
        "flags": "Flags", "no_flags": "No flags.", "client": "Client %s", "unassigned": "(no client)",
        "plan": "Plan %s: %s a week.", "n_sessions": ("session", "sessions"),
        "no_plan": "No plan: sessions per week, no target.",
        "adherence": "Adherence over %(weeks)s: %(started)d of %(planned)s started (%(pct)d%%); %(completed)d of "
                     "them completed in full (%(cpct)d%% of the plan). A session counts as started when the "
                     "client began it, also when it was stopped early or interrupted.",
        "n_weeks": ("week", "weeks"), "n_planned": ("planned session", "planned sessions"),
        "week_of": "week of (day-month)", "skipped": "skipped segments", "watches": ("watch", "watches"),
        "watch_ids": "watch id",
        "session_on": "session (day-month)", "sessions": "sessions", "target": "target", "met": "met",
        "completed": "completed", "run_minutes": "run minutes", "minutes": "minutes", "planned": "planned",
        "done": "done", "paused": "paused", "program": "program", "status": "status", "date": "date (UTC)",
        "mood": "mood", "mood_before": "mood before", "mood_after": "mood after", "talk": "could talk",
        "talk_no_mark": "no talk", "yes": "yes", "no": "no",
        "status_completed": "completed", "status_stopped": "stopped early", "status_interrupted": "interrupted",
        "reasons": {"tired": "tired", "pain": "pain", "unwell": "unwell", "other": "other"},
        "flag_reasons": {"pain": "pain", "unwell": "feeling unwell"}, "not_yet": "not yet",
        "h_weeks": "Adherence per week", "h_sessions": "Planned vs. done", "h_run": "Run minutes per week",
        "h_mood": "Mood and talk test", "chart_weeks": "Sessions per week", "chart_sessions":
        "Planned and done minutes per session", "chart_run": "Run minutes per week", "chart_mood":
        "Mood before and after each session",
        "flag_stop_pain": "Stopped early because of %(reason)s on %(at)s after %(done)s of %(planned)s.",
        "flag_mood": "Mood after sessions is dropping: last answers %(after)s; below the mood before in "
                     "%(below)d of the last %(of)d sessions.",
        "flag_gap": "No session for %(days)d days: %(from)s to %(to)s.",
        "flag_gap_open": "No session for %(days)d days: since %(from)s.",
        "flag_approx": ("%(count)d session was recorded with the watch clock unset or wrong: its date is "
                        "approximate (≈).", "%(count)d sessions were recorded with the watch clock unset or "
                        "wrong: their dates are approximate (≈)."),
        "rules": "Flags: stopped early for pain or feeling unwell; 14 days or more without a session; mood "
                 "after dropping (the last three answers never rise and end lower, or mood after below mood "
                 "before in two of the last three sessions); approximate dates.",
        "approx_note": "≈ approximate time: the watch clock was unset or wrong",
    },
    "nl": {
        "title": "runcue-rapport", "made": "Gemaakt %s. Datums en tijden in UTC; weken beginnen op maandag.",
        "flags": "Signalen", "no_flags": "Geen signalen.", "client": "Cliënt %s", "unassigned": "(geen cliënt)",
        "plan": "Schema %s: %s per week.", "n_sessions": ("sessie", "sessies"),
        "no_plan": "Geen schema: sessies per week, zonder doel.",
        "adherence": "Therapietrouw over %(weeks)s: %(started)d van de %(planned)s begonnen (%(pct)d%%); "
                     "%(completed)d daarvan helemaal voltooid (%(cpct)d%% van het schema). Een sessie telt als "
                     "begonnen zodra de cliënt eraan begon, ook als die eerder gestopt of onderbroken werd.",
        "n_weeks": ("week", "weken"), "n_planned": ("geplande sessie", "geplande sessies"),
        "week_of": "week van (dag-maand)", "skipped": "overgeslagen segmenten",
        "watches": ("horloge", "horloges"), "watch_ids": "horloge-id",
        "session_on": "sessie (dag-maand)", "sessions": "sessies", "target": "doel", "met": "gehaald",
        "completed": "voltooid", "run_minutes": "hardloopminuten", "minutes": "minuten", "planned": "gepland",
        "done": "gedaan", "paused": "gepauzeerd", "program": "programma", "status": "status",
        "date": "datum (UTC)", "mood": "stemming", "mood_before": "stemming vooraf",
        "mood_after": "stemming achteraf", "talk": "kon praten", "talk_no_mark": "niet praten", "yes": "ja",
        "no": "nee",
        "status_completed": "voltooid", "status_stopped": "eerder gestopt", "status_interrupted": "onderbroken",
        "reasons": {"tired": "moe", "pain": "pijn", "unwell": "onwel", "other": "anders"},
        "flag_reasons": {"pain": "pijn", "unwell": "zich onwel voelen"}, "not_yet": "nog niet",
        "h_weeks": "Therapietrouw per week", "h_sessions": "Gepland en gedaan",
        "h_run": "Hardloopminuten per week", "h_mood": "Stemming en praattest",
        "chart_weeks": "Sessies per week", "chart_sessions": "Geplande en gedane minuten per sessie",
        "chart_run": "Hardloopminuten per week", "chart_mood": "Stemming voor en na elke sessie",
        "flag_stop_pain": "Eerder gestopt wegens %(reason)s op %(at)s na %(done)s van %(planned)s.",
        "flag_mood": "Stemming na de sessies daalt: laatste antwoorden %(after)s; lager dan vooraf in "
                     "%(below)d van de laatste %(of)d sessies.",
        "flag_gap": "%(days)d dagen geen sessie: %(from)s tot %(to)s.",
        "flag_gap_open": "%(days)d dagen geen sessie: sinds %(from)s.",
        "flag_approx": ("%(count)d sessie is opgenomen terwijl de klok van het horloge niet of verkeerd gezet "
                        "was: de datum is bij benadering (≈).", "%(count)d sessies zijn opgenomen terwijl de klok "
                        "van het horloge niet of verkeerd gezet was: hun datums zijn bij benadering (≈)."),
        "rules": "Signalen: eerder gestopt wegens pijn of onwel voelen; 14 dagen of meer zonder sessie; "
                 "stemming achteraf daalt (de laatste drie antwoorden stijgen nooit en eindigen lager, of "
                 "achteraf lager dan vooraf in twee van de laatste drie sessies); datums bij benadering.",
        "approx_note": "≈ tijd bij benadering: de klok van het horloge was niet of verkeerd gezet",
    },
}
for _lang, _t in TEXTS.items():
    _t["mood_ends"] = records.MOOD_ENDS[_lang]  # the words the watch shows at the ends of its scale

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:1.5em auto;max-width:60em;color:#111;line-height:1.4}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:2px solid #0072B2}h3{font-size:1.05em;margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.2em .5em}
th{background:#eef3f8;text-align:left}td.n{text-align:right}
.flags{background:#fff4e5;border-left:6px solid #D55E00;padding:.5em 1em}.flags h2{margin-top:.3em}
.flags li{margin:.2em 0}
.flag-stop_pain,.flag-mood{font-weight:bold}.none{color:#555}
svg{width:100%;max-width:48em;height:auto;display:block}.small{font-size:.85em;color:#444}
.completed{color:#006b4f}.stopped{color:#9a5b00}.interrupted{color:#555}
"""


def flag_text(kind, d, t):
    """One flag of :func:`runcue_host.review.report.flags` as a sentence in the texts ``t``."""
    args = dict(d)
    if kind == "stop_pain":
        args.update(reason=t["flag_reasons"].get(d["reason"], d["reason"]), at=utc(d["at"]),
                    done=minutes_clock(d["done_s"]), planned=minutes_clock(d["planned_s"]))
    elif kind == "mood":
        args["after"] = ", ".join(str(m) for m in d["after"])
    elif kind == "gap":
        args.update({"from": utc(d["from"], DATE), "to": utc(d["to"], DATE)})
        kind = "gap_open" if d["open"] else "gap"
    text = t["flag_" + kind]
    if isinstance(text, tuple):  # (one, many) by the count
        text = plural(d["count"], *text)
    return text % args


def _adherence(a, t):
    planned = count(a["planned"], *t["n_planned"])
    return t["adherence"] % {"weeks": count(a["weeks"], *t["n_weeks"]), "started": a["started"],
                             "planned": planned, "pct": round(100.0 * a["started"] / a["planned"]),
                             "completed": a["completed"], "cpct": round(100.0 * a["completed"] / a["planned"])}


def _skipped(s, lang):
    """The segments a session's client skipped out of: "3 (walk), 7 (run)", or "–"."""
    return ", ".join("%d (%s)" % (n, preview.kind_text(program.KINDS.index(kind), lang) if kind else "?")
                     for n, kind in s["skipped"]) or "–"


def _heading(c, t):
    """"Client C01 · watch …3f2a": the client's code and their watches by short label."""
    labels = ", ".join(watch_label(d) for d in c["devices"])
    return "%s · %s %s" % (t["client"] % _name(c["client"], t), plural(len(c["devices"]), *t["watches"]),
                           escape(labels))


def _name(code, t):
    return escape(code) if code else t["unassigned"]


def _table(head, rows):
    out = ["<table><thead><tr>", "".join("<th>%s</th>" % h for h in head), "</tr></thead><tbody>"]
    for r in rows:
        out.append("<tr>%s</tr>" % "".join(
            '<td class="n">%s</td>' % c if isinstance(c, (int, float)) else "<td>%s</td>" % c for c in r))
    out.append("</tbody></table>")
    return "".join(out)


def client_section(c, t, n, now, lang):
    """One client's section of the report (``c`` from ``report.model``): tables and charts; ``n`` names
    its ids, so several sections live in one page."""
    weeks, sessions = c["weeks"], c["sessions"]
    out = ['<section id="client-%d"><h2>%s</h2>' % (n, _heading(c, t))]
    out.append('<p class="small">%s: %s. ' % (t["watch_ids"], ", ".join(escape(d) for d in c["devices"])))
    if c["plan"]:
        out.append(escape(t["plan"] % (c["plan"][0], count(c["plan"][1], *t["n_sessions"]))))
        if c["adherence"] is not None:
            out.append(" " + escape(_adherence(c["adherence"], t)))
    else:
        out.append(escape(t["no_plan"]))
    out.append("</p>")
    out.append("<h3>%s</h3>" % t["h_weeks"])
    out.append(report_charts.weeks_chart("c%d-weeks" % n, weeks, t))
    head = [t["week_of"], t["sessions"], t["completed"], t["status_stopped"], t["status_interrupted"],
            t["run_minutes"]]
    if c["plan"]:
        head += [t["target"], t["met"]]
    rows = []
    for w in weeks:
        r = [utc(w["start"], DATE), w["sessions"], w["completed"], w["stopped"], w["interrupted"],
             round(w["run_min"])]
        if c["plan"]:
            r += [w["target"], t["yes"] if w["met"] else t["not_yet"] if w["start"] + 7 * 86400 > now else t["no"]]
        rows.append(r)
    out.append(_table(head, rows))
    out.append("<h3>%s</h3>" % t["h_sessions"])
    out.append(report_charts.sessions_chart("c%d-sessions" % n, sessions, t))
    rows = []
    for s in sessions:
        status = t["status_" + s["status"]]
        if s["stop_reason"]:
            status += ": " + t["reasons"].get(s["stop_reason"], s["stop_reason"])
        when = utc(s["started_at"]) + (" ≈" if s["started_approx"] else "")
        rows.append([when, escape(s["program_name"]), '<span class="%s">%s</span>' % (s["status"], escape(status)),
                     minutes_clock(s["planned_s"]), minutes_clock(s["done_s"]),
                     minutes_clock(s["wall_s"] - s["done_s"]), minutes_clock(s["run_s"]), escape(_skipped(s, lang))])
    out.append(_table([t["date"], t["program"], t["status"], t["planned"], t["done"], t["paused"],
                       t["run_minutes"], t["skipped"]], rows))
    if any(s["started_approx"] for s in sessions):
        out.append('<p class="small">%s</p>' % t["approx_note"])
    out.append("<h3>%s</h3>" % t["h_run"])
    out.append(report_charts.run_chart("c%d-run" % n, weeks, t))
    out.append("<h3>%s</h3>" % t["h_mood"])
    out.append(report_charts.mood_chart("c%d-mood" % n, sessions, t))
    rows = [[utc(s["started_at"]), s["mood_before"] or "–", s["mood_after"] or "–",
             t.get(s["talk"], "–") if s["talk"] else "–"] for s in sessions]
    out.append(_table([t["date"], t["mood_before"], t["mood_after"], t["talk"]], rows))
    out.append("</section>")
    return "\n".join(out)


def page(clients, lang, now):
    t = TEXTS[lang]
    out = ['<!DOCTYPE html><html lang="%s"><head><meta charset="utf-8">' % lang,
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>%s</title><style>%s</style></head><body>" % (t["title"], CSS),
           "<h1>%s</h1><p class=\"small\">%s</p>" % (t["title"], t["made"] % utc(now))]
    out.append('<div class="flags"><h2>%s</h2>' % t["flags"])
    any_flag = False
    for n, c in enumerate(clients):
        if c["flags"]:
            any_flag = True
            out.append('<h3><a href="#client-%d">%s</a></h3><ul>' % (n, t["client"] % _name(c["client"], t)))
            out += ['<li class="flag-%s">%s</li>' % (k, escape(flag_text(k, d, t))) for k, d in c["flags"]]
            out.append("</ul>")
    if not any_flag:
        out.append('<p class="none">%s</p>' % t["no_flags"])
    out.append('<p class="small">%s</p></div>' % t["rules"])
    out += [client_section(c, t, n, now, lang) for n, c in enumerate(clients)]
    out.append("</body></html>\n")
    return "\n".join(out)
