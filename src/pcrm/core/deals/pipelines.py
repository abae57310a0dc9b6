"""Pipelines: named, ordered lists of stages. One is the default (where new deals go).

Pipelines and stages are named the way people type them: any case or accents, a unique
beginning of the name, or for a stage its position (1 is the first). A name that does
not match says which names would.
"""

from __future__ import annotations

from datetime import datetime

from pcrm.core.deals import history as deal_history
from pcrm.core.deals.models import Pipeline, Stage
from pcrm.core.people.text import name_key, require_name
from pcrm.core.records import new_uid
from pcrm.dates import to_iso
from pcrm.errors import Conflict, InvalidInput, NotFound
from pcrm.store.db import Database

_STAGE_COLUMNS = (
    "s.id, s.uid, s.pipeline_id, s.name, s.position, s.probability, s.rot_days,"
    " (SELECT count(*) FROM deals d WHERE d.stage_id = s.id AND d.status = 'open')"
)


def load_stages(db: Database, pipeline_id: int) -> list[Stage]:
    """The pipeline's stages in order, each with its count of open deals."""
    return [
        Stage(*row)
        for row in db.execute(
            f"SELECT {_STAGE_COLUMNS} FROM stages s WHERE s.pipeline_id = ? ORDER BY s.position",
            [pipeline_id],
        )
    ]


def get_stage(db: Database, stage_id: int) -> Stage:
    row = db.execute(f"SELECT {_STAGE_COLUMNS} FROM stages s WHERE s.id = ?", [stage_id]).fetchone()
    if row is None:
        raise NotFound(f"no stage has id {stage_id}")
    return Stage(*row)


def _pipelines(db: Database, where: str = "", params: list[object] | None = None) -> list[Pipeline]:
    found = [
        Pipeline(row[0], row[1], row[2], bool(row[3]), open_deals=row[4])
        for row in db.execute(
            "SELECT p.id, p.uid, p.name, p.is_default,"
            " (SELECT count(*) FROM deals d WHERE d.pipeline_id = p.id AND d.status = 'open')"
            f" FROM pipelines p {where} ORDER BY p.is_default DESC, p.name, p.id",
            params or [],
        )
    ]
    for pipeline in found:
        pipeline.stages = load_stages(db, pipeline.id)
    return found


def list_pipelines(db: Database) -> list[Pipeline]:
    """Every pipeline, the default first, then by name; stages in order, open deals counted."""
    return _pipelines(db)


def get_pipeline(db: Database, pipeline_id: int) -> Pipeline:
    found = _pipelines(db, "WHERE p.id = ?", [pipeline_id])
    if not found:
        raise NotFound(f"no pipeline has id {pipeline_id}", hint="see: pcrm pipeline list")
    return found[0]


def default_pipeline(db: Database) -> Pipeline:
    found = _pipelines(db, "WHERE p.is_default = 1")
    if not found:  # only possible in a file edited by hand: every pcrm path keeps one
        raise NotFound("there is no default pipeline", hint="see: pcrm pipeline list")
    return found[0]


def resolve_pipeline(db: Database, name: str | None) -> Pipeline:
    """The pipeline a user names: None is the default; else the whole name or a unique
    beginning of it, any case or accents."""
    if name is None:
        return default_pipeline(db)
    key = name_key(name)
    rows = db.execute("SELECT id, name FROM pipelines ORDER BY name, id").fetchall()
    names = ", ".join(row[1] for row in rows)
    if not key:
        raise InvalidInput("no pipeline name given", hint=f"pipelines: {names}")
    exact = [row for row in rows if name_key(row[1]) == key]
    matches = exact or [row for row in rows if name_key(row[1]).startswith(key)]
    if len(matches) == 1:
        return get_pipeline(db, matches[0][0])
    if matches:
        raise InvalidInput(
            f'"{name.strip()}" matches several pipelines: ' + ", ".join(r[1] for r in matches),
            hint="type more of the name",
        )
    raise InvalidInput(f'no pipeline "{name.strip()}"', hint=f"pipelines: {names}")


def _stage_list(pipeline: Pipeline, stages: list[Stage]) -> str:
    return f"stages of {pipeline.name}: " + ", ".join(stage.name for stage in stages)


def resolve_stage(db: Database, pipeline: Pipeline, text: str) -> Stage:
    """A stage of `pipeline` by its whole name, its position (1 is the first), or a unique
    beginning of its name; any case or accents."""
    stages = load_stages(db, pipeline.id)  # as they are now, not as `pipeline` was loaded
    key = name_key(text)
    if not key:
        raise InvalidInput("no stage given", hint=_stage_list(pipeline, stages))
    exact = [stage for stage in stages if name_key(stage.name) == key]
    if len(exact) == 1:
        return exact[0]
    if key.isdigit():
        position = int(key)
        if 1 <= position <= len(stages):
            return stages[position - 1]
        raise InvalidInput(
            f"pipeline {pipeline.name} has no stage {position}",
            hint=f"positions 1 to {len(stages)}; {_stage_list(pipeline, stages)}",
        )
    matches = [stage for stage in stages if name_key(stage.name).startswith(key)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InvalidInput(
            f'"{text.strip()}" matches several stages of {pipeline.name}: '
            + ", ".join(stage.name for stage in matches),
            hint="type more of the name, or its position",
        )
    hint = _stage_list(pipeline, stages)
    if key in deal_history.CLOSED:
        hint += f"; {key} is a status, not a stage: pcrm deal {key} REF"
    raise InvalidInput(f'no stage "{text.strip()}" in pipeline {pipeline.name}', hint=hint)


def _check_pipeline_name(db: Database, name: str, pipeline_id: int | None) -> str:
    name = require_name(name, "pipeline name")
    for other_id, other in db.execute("SELECT id, name FROM pipelines"):
        if other_id != pipeline_id and name_key(other) == name_key(name):
            raise Conflict(f'there is already a pipeline "{other}"', hint="choose another name")
    return name


def spread(count: int) -> list[int]:
    """Win probabilities for `count` stages given only by name: evenly up to 100 %, exclusive
    (3 stages: 25, 50, 75)."""
    return [round(100 * index / (count + 1)) for index in range(1, count + 1)]


def add_pipeline(
    db: Database, now: datetime, name: str, stages: list[str] | None = None
) -> Pipeline:
    """A new pipeline. `stages` are names, their probabilities spread evenly (`spread`) and
    no rotting limit; without them, a copy of the default pipeline's stages."""
    name = _check_pipeline_name(db, name, None)
    if stages is None:
        template = [(s.name, s.probability, s.rot_days) for s in default_pipeline(db).stages]
    else:
        names = [require_name(stage, "stage name") for stage in stages]
        if not names:
            raise InvalidInput("a pipeline needs at least one stage")
        keys = [name_key(stage) for stage in names]
        repeated = next((n for n, k in zip(names, keys, strict=True) if keys.count(k) > 1), None)
        if repeated:
            raise InvalidInput(f'the stage "{repeated}" is named twice', hint="name each once")
        template = [
            (stage, probability, None)
            for stage, probability in zip(names, spread(len(names)), strict=True)
        ]
    pipeline_id = db.execute(
        "INSERT INTO pipelines(uid, name, is_default, created_at) VALUES (?, ?, 0, ?)",
        [new_uid(), name, to_iso(now)],
    ).lastrowid
    for position, (stage, probability, rot_days) in enumerate(template, start=1):
        db.execute(
            "INSERT INTO stages(uid, pipeline_id, name, position, probability, rot_days)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [new_uid(), pipeline_id, stage, position, probability, rot_days],
        )
    assert pipeline_id is not None
    return get_pipeline(db, pipeline_id)


def set_default_pipeline(db: Database, pipeline_id: int) -> Pipeline:
    """Make this pipeline the default: where new deals go and what `pcrm pipeline` shows."""
    get_pipeline(db, pipeline_id)
    db.execute(
        "UPDATE pipelines SET is_default = 0 WHERE is_default = 1 AND id != ?", [pipeline_id]
    )
    db.execute("UPDATE pipelines SET is_default = 1 WHERE id = ?", [pipeline_id])
    return get_pipeline(db, pipeline_id)


def deal_count(db: Database, pipeline_id: int) -> int:
    """Every deal of the pipeline, open or closed."""
    return int(
        db.execute("SELECT count(*) FROM deals WHERE pipeline_id = ?", [pipeline_id]).fetchone()[0]
    )


def remove_pipeline(
    db: Database, now: datetime, pipeline_id: int, *, to: int | None = None
) -> Pipeline:
    """Remove a pipeline and its stages; never its deals.

    A pipeline that holds deals (open or closed) is refused unless `to` names another
    pipeline: each deal then moves to the stage at the same position there (or the last
    stage, when that pipeline is shorter), the move recorded in its history. The default
    pipeline cannot be removed while it is the default. Returns the pipeline as it was.
    """
    pipeline = get_pipeline(db, pipeline_id)
    if pipeline.is_default:
        raise Conflict(
            f"{pipeline.name} is the default pipeline", hint="make another one the default first"
        )
    held = deal_count(db, pipeline_id)
    if held and to is None:
        raise Conflict(
            f"pipeline {pipeline.name} holds {held} deal{'s' if held != 1 else ''}",
            hint="move them to another pipeline with --to PIPELINE",
        )
    if held:
        assert to is not None
        if to == pipeline_id:
            raise InvalidInput(f"cannot move the deals of {pipeline.name} into itself")
        target = get_pipeline(db, to)
        for stage in pipeline.stages:
            landing = target.stages[min(stage.position, len(target.stages)) - 1]
            deal_history.move_all(db, now, stage, landing, note=f"pipeline {pipeline.name} removed")
    db.execute("DELETE FROM pipelines WHERE id = ?", [pipeline_id])
    return pipeline
