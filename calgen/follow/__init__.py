"""Follow-up (督办): the loop the issuing office runs after the plan is split into tasks.

    分解 → 交办 → 临期提醒 → 进展报送 → 到期催办 / 亮灯 → 办结 / 销号 → 统计通报

* :mod:`.standing` — what a row's state is as of a date, on the working-day calendar
  (按期完成, 逾期完成, 逾期, 临期, 延期, 未到期, 无时限), from its due date and the status an agency
  recorded.  Pure functions; the one place the states and their words are defined.
* :mod:`.ledger` — the ledger (台账): one row per dated milestone and per undated task, keyed by
  the event's UID or the task's identity; written as ``ledger.xlsx`` (fill-in columns unlocked,
  drop-downs) and ``ledger.csv``, one workbook per lead agency under ``ledgers/``.
* :mod:`.store` — the status store (``output/.status/status.sqlite``, outside the build's
  generations so no rebuild touches it): every status ever recorded, with the file, sheet and row
  it came from and when; the rows each build published.  Nothing in it is ever deleted.
* :mod:`.returned` — reading returned ledgers (xlsx or csv) and checking every row before it is
  recorded: one line per problem, the row skipped, never guessed.
* :mod:`.stats` — per-agency statistics and the 通报 list (``calgen report``).
* :mod:`.digest` — what falls due soon and what is overdue, per agency, as text and HTML, and
  sending it by SMTP (``calgen digest``).
"""
