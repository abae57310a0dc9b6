"""Changing a pipeline's stages: add, edit, remove, reorder (`pcrm stage`).

Positions stay 1..n without gaps. Removing a stage never orphans or deletes a deal: a stage
that holds deals (open or closed) is removed only with a stage to move them to, and each
move is written in the deal's history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pcrm.core.deals import history as deal_history
from pcrm.core.deals.models import Pipeline, Stage
from pcrm.core.deals.pipelines import get_stage, load_stages
from pcrm.core.people.text import name_key, require_name
from pcrm.core.records import new_uid
from pcrm.errors import Conflict, InvalidInput
from pcrm.store.db import Database

_PERCENT = re.compile(r"(\d{1,3})\s*%?", re.ASCII)
_DAYS = re.compile(r"(\d{1,4})\s*(?:d|days?)?", re.ASCII | re.IGNORECASE)


def parse_probability(text: str) -> int:
    """A win probability: 0 to 100, with or without "%"."""
    match = _PERCENT.fullmatch(text.strip())
    if match is None or int(match[1]) > 100:
        raise InvalidInput(
            f'the probability must be 0 to 100, not "{text.strip()}"', hint="e.g. 40 or 40%"
        )
    return int(match[1])


def parse_rot(text: str) -> int | None:
    """A rotting limit in days ("14", "14d"); 0 or "none" means no limit."""
    value = text.strip().lower()
    if value in ("none", "never", "0", ""):
        return None
    match = _DAYS.fullmatch(value)
    if match is None:
        raise InvalidInput(
            f'the rotting limit must be a number of days, not "{text.strip()}"',
            hint="e.g. 14, or 0 for none",
        )
    return int(match[1]) or None


def _check_name(db: Database, pipeline_id: int, name: str, stage_id: int | None) -> str:
    name = require_name(name, "stage name")
    for stage in load_stages(db, pipeline_id):
        if stage.id != stage_id and name_key(stage.name) == name_key(name):
            raise Conflict(
                f'the pipeline already has a stage "{stage.name}"', hint="choose another name"
            )
    return name


def _renumber(db: Database, pipeline_id: int, ordered_ids: list[int]) -> None:
    for position, stage_id in enumerate(ordered_ids, start=1):
        db.execute(
            "UPDATE stages SET position = ? WHERE id = ? AND pipeline_id = ?",
            [position, stage_id, pipeline_id],
        )


def add_stage(
    db: Database,
    pipeline: Pipeline,
    name: str,
    probability: int,
    rot_days: int | None = None,
    *,
    after: Stage | None = None,
) -> Stage:
    """A new stage, after `after` (or last)."""
    name = _check_name(db, pipeline.id, name, None)
    _check_numbers(probability, rot_days)
    ids = [stage.id for stage in load_stages(db, pipeline.id)]
    position = ids.index(after.id) + 1 if after else len(ids)
    stage_id = db.execute(
        "INSERT INTO stages(uid, pipeline_id, name, position, probability, rot_days)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [new_uid(), pipeline.id, name, position + 1, probability, rot_days],
    ).lastrowid
    assert stage_id is not None
    ids.insert(position, stage_id)
    _renumber(db, pipeline.id, ids)
    return get_stage(db, stage_id)


def _check_numbers(probability: int | None, rot_days: int | None) -> None:
    if probability is not None and not 0 <= probability <= 100:
        raise InvalidInput(f"the probability must be 0 to 100, not {probability}")
    if rot_days is not None and rot_days < 1:
        raise InvalidInput(f"the rotting limit must be 1 day or more, not {rot_days}")


@dataclass
class StageChanges:
    """None leaves a field alone; `clear_rot` removes the rotting limit."""

    name: str | None = None
    probability: int | None = None
    rot_days: int | None = None
    clear_rot: bool = False

    def is_empty(self) -> bool:
        return (self.name, self.probability, self.rot_days) == (None, None, None) and not (
            self.clear_rot
        )


def edit_stage(db: Database, stage: Stage, changes: StageChanges) -> Stage:
    if changes.is_empty():
        raise InvalidInput(
            "nothing to change", hint="give --name, --probability or --rot (see --help)"
        )
    _check_numbers(changes.probability, changes.rot_days)
    if changes.name is not None:
        name = _check_name(db, stage.pipeline_id, changes.name, stage.id)
        db.execute("UPDATE stages SET name = ? WHERE id = ?", [name, stage.id])
    if changes.probability is not None:
        db.execute(
            "UPDATE stages SET probability = ? WHERE id = ?", [changes.probability, stage.id]
        )
    if changes.rot_days is not None or changes.clear_rot:
        db.execute("UPDATE stages SET rot_days = ? WHERE id = ?", [changes.rot_days, stage.id])
    return get_stage(db, stage.id)


def deals_in(db: Database, stage: Stage) -> int:
    """Every deal in the stage, open or closed (a closed deal keeps the stage it left from)."""
    return int(
        db.execute("SELECT count(*) FROM deals WHERE stage_id = ?", [stage.id]).fetchone()[0]
    )


def _deals_text(stage: Stage, held: int) -> str:
    """'3 deals', or '1 closed deal' when none is open (stage lists count open ones only)."""
    plural = "s" if held != 1 else ""
    return f"{held} deal{plural}" if stage.open_deals or not held else f"{held} closed deal{plural}"


def remove_stage(db: Database, now: datetime, stage: Stage, *, to: Stage | None = None) -> int:
    """Remove a stage; its deals, if any, move to `to`. Returns how many deals moved."""
    stages = load_stages(db, stage.pipeline_id)
    if len(stages) == 1:
        raise Conflict(
            f'"{stage.name}" is the only stage of its pipeline', hint="add another stage first"
        )
    held = deals_in(db, stage)
    if to is not None and to.id == stage.id:
        raise InvalidInput(f'cannot move the deals of "{stage.name}" into itself')
    if to is not None and to.pipeline_id != stage.pipeline_id:
        raise InvalidInput(f'"{to.name}" is a stage of another pipeline')
    if held and to is None:
        raise Conflict(
            f'stage "{stage.name}" holds {_deals_text(stage, held)}',
            hint="say where they go with --to STAGE",
        )
    moved = 0
    if held and to is not None:
        moved = deal_history.move_all(db, now, stage, to, note=f"stage {stage.name} removed")
    db.execute("DELETE FROM stages WHERE id = ?", [stage.id])
    _renumber(db, stage.pipeline_id, [s.id for s in stages if s.id != stage.id])
    return moved


def move_stage(db: Database, stage: Stage, position: int) -> list[Stage]:
    """Put the stage at `position` (1 is the first); returns the pipeline's stages in order."""
    stages = load_stages(db, stage.pipeline_id)
    if not 1 <= position <= len(stages):
        raise InvalidInput(
            f"the position must be 1 to {len(stages)}, not {position}",
            hint="1 is the first stage",
        )
    ids = [s.id for s in stages if s.id != stage.id]
    ids.insert(position - 1, stage.id)
    _renumber(db, stage.pipeline_id, ids)
    return load_stages(db, stage.pipeline_id)
