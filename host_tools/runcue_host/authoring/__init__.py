"""Authoring: programs and plans as the therapist writes them, checked and previewed (CPython only).

Import each thing from the module that owns it:

* :mod:`.words`: the words shared by every form: tokens, durations (``90s``, ``1:30``), kind
  words in English and Dutch and the language they make (``choose_lang``, ``check_lang``),
  ``quote`` for text in a one-line message.
* :mod:`.shorthand`: the shorthand line (``5m walk, 8x(60s run, 90s walk)``): parsed
  (``parse_shorthand``), compiled (``compile_shorthand``, ``shorthand_program``), written back
  (``format_shorthand``); ``ShorthandError``.
* :mod:`.toml_doc`: reading a TOML file, for programs and plans alike: the file, its text, the
  line of a field, the checks of its fields (``TomlFile``).
* :mod:`.program_file`: program files and the SPEC of a command (``load_spec``,
  ``load_authored``, ``load_toml``), the ``[[segments]]`` tables, ``summary``;
  ``ProgramFileError``.
* :mod:`.plan_file`: multi-week plan files and the built-in plans (``builtin/*.toml``);
  ``PlanFile``, ``PlanFileError``.
* :mod:`.preview`: a program's timeline and its cues as a WAV, played by the watch's own code.

The rules both ends need (limits, the name rule, the kind names, the cue rules) are the core's
(``runcue.program``, ``runcue.cues``): authoring checks with them and never copies them.
"""
