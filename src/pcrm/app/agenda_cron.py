"""`pcrm agenda --cron`: read the agenda, deliver it, record the run.

Delivery is printing (cron mails what a job prints) or a command the text is piped to
(`--deliver CMD` or the agenda.deliver setting), run by `sh -c` as cron and git's pager
run theirs. Nothing due: no text, no command run, and the run is recorded as `silent` (a
successful delivery of nothing). The run is recorded after the delivery, in a write
transaction of its own, so the database is not held while a mail command runs; a failed
delivery is recorded too, and does not move the start of the next run's missed section.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pcrm.app.base import DatabaseFile
from pcrm.errors import DatabaseError

DELIVER_TIMEOUT = 120.0  # seconds a delivery command may take before it counts as failed


@dataclass
class Delivery:
    ok: bool
    exit_code: int | None = None
    problem: str = ""  # what went wrong, in words: "exited with status 3"
    last_line: str = ""  # the command's last line of stderr (else stdout), for the record


@dataclass
class CronRun:
    status: str  # delivered | silent | failed
    delivery: str  # "print" or the command
    result: Delivery
    not_recorded: str = ""  # why the run could not be recorded (a locked or read-only file)

    def message(self) -> str:
        """The one line a failed delivery is told in."""
        said = f": {self.result.last_line}" if self.result.last_line else ""
        return (
            f'delivery command "{self.delivery}" {self.result.problem}{said}'
            " (not delivered: the next run shows these items again)"
        )


def _shell() -> str:
    import shutil

    return "/bin/sh" if os.path.exists("/bin/sh") else (shutil.which("sh") or "sh")


def _last_line(*outputs: bytes) -> str:
    for output in outputs:
        lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines()]
        lines = [line for line in lines if line]
        if lines:
            return lines[-1][:300]
    return ""


def deliver(command: str, text: str, timeout: float) -> Delivery:
    """Pipe `text` to `command` (sh -c). Its own output is kept from pcrm's stdout (a
    cron mail must not carry an ntfy client's reply); a command that runs longer than
    `timeout` is stopped with everything it started."""
    import signal
    import subprocess  # only when there is something to deliver: ~3 ms of start-up

    try:
        process = subprocess.Popen(
            [_shell(), "-c", command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: a timeout stops all of it
        )
    except OSError as exc:
        return Delivery(False, None, f"could not be started ({exc.strerror})")
    data = text.encode("utf-8", "replace")
    try:
        out, err = process.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            process.kill()
        out, err = process.communicate()
        return Delivery(False, None, f"timed out after {timeout:g} s", _last_line(err))
    code = process.returncode
    if code == 0:
        return Delivery(True, 0)
    if code == 127:
        problem = "was not found (exit status 127)"
    elif code < 0:
        problem = f"was killed by signal {-code}"
    else:
        problem = f"exited with status {code}"
    return Delivery(False, code, problem, _last_line(err, out))


def run_cron(
    files: DatabaseFile,
    now: datetime,
    days: int,
    *,
    show_all: bool,
    command: str | None,
    write: Callable[[str], object],
    timeout: float | None = None,
) -> CronRun:
    """One cron run. `command`: None takes the agenda.deliver setting, "" prints;
    `timeout`: None is DELIVER_TIMEOUT."""
    from pcrm.core.activity.agenda import build_agenda
    from pcrm.core.activity.runs import PRINT, record_run
    from pcrm.core.settings import agenda_delivery
    from pcrm.dates import local_zone_name, to_iso, to_local

    with files.database(write=False) as db:
        agenda = build_agenda(db, now, days, show_all=show_all)
        if command is None:
            command = agenda_delivery(db)
    command = None if command is None or command.strip() in ("", PRINT) else command.strip()
    shown = []
    if not agenda.anything_due:  # most mornings: no text, no command, and no Rich loaded
        run = CronRun("silent", command or PRINT, Delivery(True))
    else:
        from pcrm.render.agenda import cron_text, shown_items

        text = cron_text(agenda, now)
        shown = shown_items(agenda, now)
        if command is None:
            write(text)
            run = CronRun("delivered", PRINT, Delivery(True))
        else:
            result = deliver(command, text, DELIVER_TIMEOUT if timeout is None else timeout)
            run = CronRun("delivered" if result.ok else "failed", command, result)
    zone = local_zone_name() or to_local(now).strftime("UTC%z")
    error = run.result.problem + (f": {run.result.last_line}" if run.result.last_line else "")
    try:
        with files.database(write=True, create=False) as db:
            record_run(
                db,
                ran_at=to_iso(now),
                day=agenda.today,
                zone=zone,
                delivery=run.delivery,
                status=run.status,
                exit_code=run.result.exit_code,
                error=error or None,
                shown=shown,
            )
    except DatabaseError as exc:
        # Delivered (or not) all the same: say so, and that this run counts for nothing.
        done = {"failed": "was not delivered", "silent": "had nothing due"}
        run.not_recorded = (
            f"the agenda {done.get(run.status, 'was delivered')}, but this run was not"
            f" recorded (the next run shows its missed items again): {exc}"
        )
    return run
