"""The desk's own words, in English and Dutch (the report's, the watch's and the authoring
messages come from their modules: the desk shows those as they are)."""

LANGS = ("en", "nl")

TEXTS = {
    "en": {
        "title": "runcue desk", "nav_clients": "Clients", "nav_author": "Author a program", "nav_plans": "Plans",
        "nav_watch": "The watch", "language": "Language",
        # the client list
        "clients_h": "Clients", "no_clients": "No sessions in the archive yet: sync a watch (The watch).",
        "client": "client", "watch": "watch", "plan": "plan", "position": "last session in the plan",
        "last_sync": "last sync (UTC)", "this_week": "sessions this week", "flags": "flags", "no_plan": "no plan",
        "week_session": "week %(week)s (session %(n)s of the plan)", "unassigned": "(no client)", "none": "none",
        "per_week": "%d a week", "target_met": "target met",
        "flag_short": {"stop_pain": "stopped: pain/unwell", "gap": "14+ days without a session",
                       "mood": "mood dropping", "approx": "approximate dates"},
        # a client's page
        "client_h": "Client %s", "back": "All clients", "export": "Export", "export_csv": "CSV (sessions, segments)",
        "export_fit": "FIT (one activity a session)", "no_flags": "No flags.",
        # authoring
        "author_h": "Author a program", "spec": "Program", "spec_help":
        "A shorthand line such as 5m walk, 8x(60s run, 90s walk), 5m walk, or the text of a TOML program file.",
        "format": "Written as", "shorthand": "shorthand", "toml": "TOML file", "name": "Name",
        "name_help": "Optional: without one the program is named by its shape.", "lang": "Language on the watch",
        "lang_auto": "from the kind words", "open_file": "Open a TOML file", "open": "Open",
        "check_ok": "ok: the program fits the watch", "segments": "segments", "total": "total", "run": "run",
        "walk": "walk (warm-up, walk, rest, cool-down)", "id": "id", "timeline": "Timeline",
        "col_n": "#", "col_kind": "kind", "col_round": "round", "col_start": "starts at", "col_dur": "lasts",
        "preview": "Hear the cues", "preview_note": "The cues as the watch plays them; every silence over 3 s "
        "is shortened to 1 s.", "save": "Save to the library", "saved": "Saved to the practice's library: %s (%s).",
        "library_h": "The practice's library", "library_empty": "No programs saved yet.",
        "error_at": "Error", "write_something": "Write a program above: it is checked as you type.",
        # plans
        "plans_h": "Plans", "builtin": "Built-in plans", "own": "The practice's own plans",
        "own_empty": "None yet: open a plan file below to add one.", "sessions": "sessions", "weeks": "weeks",
        "add_plan": "Add a plan (TOML file)", "add": "Add", "plan_added": "Added to the practice's plans: %s.",
        "week": "Week", "session": "session", "push_plan_h": "Put this plan on the watch",
        "at": "Place the client at", "at_help": "W3S1 is week 3, session 1; W2 repeats week 2 from its start. "
        "Empty: a new plan starts at its start; the same plan keeps the client's place.",
        "push": "Push to the watch", "repeat_week": "Repeat week %d",
        # the watch
        "watch_h": "The watch", "found": "Watches plugged in", "found_none":
        "No watch found on USB: plug it in, or give its port below.", "port": "Port", "port_help":
        "Found by itself when one watch is plugged in; or the path of the port (the simulator's link).",
        "info": "Device info", "set_clock": "Set the clock", "assign": "Assign to client", "client_code": "Client code",
        "push_program": "Push a program", "program_from_library": "Program from the library",
        "push_a_plan": "Push a plan", "sync": "Sync", "syncing": "Syncing…", "read_so_far":
        "%(bytes)s read, %(sessions)s", "connecting": "Connecting to the watch…",
        "failed": "Not done", "unchanged": "The watch and the archive are as they were.",
        "sync_unchanged": "Nothing was freed on the watch and nothing is stored twice: sync again once this "
        "is fixed.", "synced": "Synced watch %(watch)s (client %(client)s): %(new)s, %(dup)d already stored.",
        "clock_was_set": "Watch clock set (it was %s).", "assigned": "Watch assigned to client %s.",
        "pushed_program": "Program %(name)s (%(id)s) is in force on the watch.",
        "pushed_plan": "Plan %(name)s (%(id)s) is in force on the watch: next is %(next)s.",
        "plan_done": "the end: the plan is done", "choose": "choose…",
        "device": "device", "firmware": "firmware", "clock": "clock", "flash": "flash", "unsynced": "unsynced",
        "program": "program", "clock_unset": "unset (the next sync sets it)",
        "flash_text": "%(log)d KB used by the log, %(free)d KB free of %(all)d KB",
        "logging_off": "LOGGING OFF: sync now", "none_assigned": "(none assigned)",
        "plan_on_watch": "%(name)s: session %(pos)s of %(n)s next (%(next)s, week %(week)s)",
        "refused_by_watch": "refused by the watch: %s (push it again)", "field_required": "Fill this in.",
        "new_session": "new session", "new_sessions": "new sessions", "unset": "unset",
        "bad_client": "%s: a client code is 1-16 letters, digits, '-' or '_' (a code, never a name)",
        "crashes": "crashes", "crash_text": "%(n)d, the last: %(what)s at %(where)s",
        "notes": "Notes", "repeat_h": "Send the client back in the plan",
    },
    "nl": {
        "title": "runcue-bureau", "nav_clients": "Cliënten", "nav_author": "Programma schrijven",
        "nav_plans": "Schema's", "nav_watch": "Het horloge", "language": "Taal",
        "clients_h": "Cliënten", "no_clients": "Nog geen sessies in het archief: synchroniseer een horloge "
        "(Het horloge).", "client": "cliënt", "watch": "horloge", "plan": "schema",
        "position": "laatste sessie in het schema", "last_sync": "laatst gesynchroniseerd (UTC)",
        "this_week": "sessies deze week", "flags": "signalen", "no_plan": "geen schema",
        "week_session": "week %(week)s (sessie %(n)s van het schema)", "unassigned": "(geen cliënt)", "none": "geen",
        "per_week": "%d per week", "target_met": "doel gehaald",
        "flag_short": {"stop_pain": "gestopt: pijn/onwel", "gap": "14+ dagen geen sessie",
                       "mood": "stemming daalt", "approx": "datums bij benadering"},
        "client_h": "Cliënt %s", "back": "Alle cliënten", "export": "Exporteren",
        "export_csv": "CSV (sessies, segmenten)", "export_fit": "FIT (één activiteit per sessie)",
        "no_flags": "Geen signalen.",
        "author_h": "Programma schrijven", "spec": "Programma", "spec_help":
        "Een regel verkort schrift zoals 5m wandelen, 8x(60s hardlopen, 90s wandelen), 5m wandelen, of de tekst "
        "van een TOML-programmabestand.", "format": "Geschreven als", "shorthand": "verkort schrift",
        "toml": "TOML-bestand", "name": "Naam", "name_help": "Niet verplicht: zonder naam heet het programma "
        "naar zijn vorm.", "lang": "Taal op het horloge", "lang_auto": "naar de woorden",
        "open_file": "Een TOML-bestand openen", "open": "Openen",
        "check_ok": "ok: het programma past op het horloge", "segments": "segmenten", "total": "totaal",
        "run": "hardlopen", "walk": "wandelen (opwarmen, wandelen, rust, uitlopen)", "id": "id",
        "timeline": "Tijdlijn", "col_n": "#", "col_kind": "soort", "col_round": "ronde", "col_start": "begint om",
        "col_dur": "duurt", "preview": "De signalen beluisteren", "preview_note": "De signalen zoals het "
        "horloge ze speelt; elke stilte langer dan 3 s is ingekort tot 1 s.", "save": "Opslaan in de bibliotheek",
        "saved": "Opgeslagen in de bibliotheek van de praktijk: %s (%s).", "library_h": "De bibliotheek van de "
        "praktijk", "library_empty": "Nog geen programma's opgeslagen.", "error_at": "Fout",
        "write_something": "Schrijf hierboven een programma: het wordt gecontroleerd terwijl u typt.",
        "plans_h": "Schema's", "builtin": "Ingebouwde schema's", "own": "Eigen schema's van de praktijk",
        "own_empty": "Nog geen: open hieronder een schemabestand om er een toe te voegen.", "sessions": "sessies",
        "weeks": "weken", "add_plan": "Een schema toevoegen (TOML-bestand)", "add": "Toevoegen",
        "plan_added": "Toegevoegd aan de schema's van de praktijk: %s.", "week": "Week", "session": "sessie",
        "push_plan_h": "Dit schema op het horloge zetten", "at": "De cliënt plaatsen bij",
        "at_help": "W3S1 is week 3, sessie 1; W2 herhaalt week 2 vanaf het begin. Leeg: een nieuw schema begint "
        "vooraan; hetzelfde schema houdt de plaats van de cliënt.", "push": "Naar het horloge sturen",
        "repeat_week": "Week %d herhalen",
        "watch_h": "Het horloge", "found": "Aangesloten horloges", "found_none":
        "Geen horloge gevonden op USB: sluit het aan, of geef hieronder de poort.", "port": "Poort",
        "port_help": "Vanzelf gevonden als er één horloge is aangesloten; of het pad van de poort (de link van "
        "de simulator).", "info": "Horloge-informatie", "set_clock": "Klok gelijkzetten",
        "assign": "Aan cliënt toewijzen", "client_code": "Cliëntcode", "push_program": "Een programma sturen",
        "program_from_library": "Programma uit de bibliotheek", "push_a_plan": "Een schema sturen",
        "sync": "Synchroniseren", "syncing": "Bezig met synchroniseren…", "read_so_far": "%(bytes)s gelezen, "
        "%(sessions)s", "connecting": "Verbinden met het horloge…", "failed": "Niet gelukt",
        "unchanged": "Het horloge en het archief zijn zoals ze waren.",
        "sync_unchanged": "Er is niets vrijgegeven op het horloge en niets dubbel opgeslagen: synchroniseer "
        "opnieuw als dit verholpen is.", "synced": "Horloge %(watch)s gesynchroniseerd (cliënt %(client)s): "
        "%(new)s, %(dup)d al opgeslagen.", "clock_was_set": "Klok van het horloge gezet (die was %s).",
        "assigned": "Horloge toegewezen aan cliënt %s.",
        "pushed_program": "Programma %(name)s (%(id)s) staat nu op het horloge.",
        "pushed_plan": "Schema %(name)s (%(id)s) staat nu op het horloge: de volgende is %(next)s.",
        "plan_done": "het einde: het schema is af", "choose": "kies…",
        "device": "horloge", "firmware": "firmware", "clock": "klok", "flash": "flash", "unsynced": "niet "
        "gesynchroniseerd", "program": "programma", "clock_unset": "niet gezet (de volgende synchronisatie zet hem)",
        "flash_text": "%(log)d KB gebruikt door het logboek, %(free)d KB vrij van %(all)d KB",
        "logging_off": "LOGBOEK UIT: synchroniseer nu", "none_assigned": "(niemand toegewezen)",
        "plan_on_watch": "%(name)s: sessie %(pos)s van %(n)s is de volgende (%(next)s, week %(week)s)",
        "refused_by_watch": "geweigerd door het horloge: %s (stuur het opnieuw)", "field_required": "Vul dit in.",
        "new_session": "nieuwe sessie", "new_sessions": "nieuwe sessies", "unset": "niet gezet",
        "bad_client": "%s: een cliëntcode is 1-16 letters, cijfers, '-' of '_' (een code, nooit een naam)",
        "crashes": "vastlopers", "crash_text": "%(n)d, de laatste: %(what)s in %(where)s",
        "notes": "Opmerkingen", "repeat_h": "De cliënt terugzetten in het schema",
    },
}
assert set(TEXTS["en"]) == set(TEXTS["nl"]), set(TEXTS["en"]) ^ set(TEXTS["nl"])
