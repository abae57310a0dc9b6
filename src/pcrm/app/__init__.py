"""Use cases that combine parts: an import (file -> rows -> core, one transaction), an
export (records -> a format -> a file), the demo, a merge with its journal.

Plain values in (paths, options, `now`, a way to open the database, a progress callback),
dataclasses out for cli to render. No Typer and no Rich here: cli parses and prints.
"""
