"""The domain's fixed vocabulary: interaction kinds, custom-field kinds and types, deal and
task statuses, and the search index's kind codes.

The schema's steps (store/migrations.py) spell these out in their CHECK constraints and
views as literal SQL, so that changing a name here can never rewrite a landed step; a new
value needs a new step too. tests/test_vocabulary.py checks that each tuple here is what
a fresh file's constraints allow.
"""

# The built-in interaction kinds, as m017 seeds the interaction_kinds table (users add
# their own there: core/activity/kinds.py).
INTERACTION_KINDS = ("call", "email", "meeting", "demo", "message", "note")

FIELD_KINDS = ("contact", "company", "deal")
FIELD_TYPES = ("text", "number", "date", "choice")

DEAL_STATUSES = ("open", "won", "lost")
TASK_STATUSES = ("open", "done")

# Full-text search: one FTS5 table for every kind, so results rank across kinds.
# rowid = record id * 8 + kind code, so a record's row is found without a scan.
KIND_CODES = {"contact": 1, "company": 2, "interaction": 3, "deal": 4}

# The last 8 digits of a phone number as stored (common separators removed): the expression
# of m009's contact_phones_tail index, so a query written with it can use the index.
PHONE_TAIL_SQL = (
    "substr(replace(replace(replace(replace(replace(replace(replace("
    "phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', ''), '+', ''), -8)"
)
