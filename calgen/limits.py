"""The bounds calgen keeps so that output grows linearly with input, whatever a document holds.

Past each limit the build goes on and says so (README, "Limits").
"""
from __future__ import annotations

MAX_FILE_BYTES = 20 * 1024 * 1024        # a plan larger than this is refused (it is not a plan)
MAX_MILESTONES_PER_TASK = 100            # deadline phrases kept per task (the first ones)
MAX_MILESTONES_PER_DOCUMENT = 5000       # and per document
DESCRIPTION_EXCERPT = 500                # characters of the task's text quoted in each event
CLAUSE_EXCERPT = 200                     # characters of the milestone's clause
SUMMARY_TITLE = 80                       # characters of the task's title in a summary
FEED_NAME = 60                           # characters of a feed's file name before ".ics"
ALL_ICS_BYTES = 200 * 1024 * 1024        # all.ics beyond this is not published (feeds/regions/ are)
GANTT_WHOLE_PLANS = 1000                 # more plans: gantt.xml/.xlsx/.html one per region (gantt/)
MAX_DOCX_UNPACKED = 200 * 1024 * 1024    # bytes a .docx unpacks to (a zip bomb is refused before parsing)
MAX_DOCX_PARTS = 5000                    # files inside a .docx
MAX_PACK_RATIO = 200                     # unpacked : packed of one part larger than 10 MB
MAX_PDF_PAGES = 2000                     # pages of a PDF (a plan has tens)
MAX_TEXT_CHARS = 20 * 1024 * 1024        # characters a Word or PDF file may yield
