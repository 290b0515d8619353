"""Real Celery worker processes for reliability tests, on a queue of their own on Redis.

Each worker runs the solo pool, so the task runs in the process a test SIGKILLs. They use the
test database (committed data only: the tests are transactional) and never see another test
run's tasks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[1]


class CeleryWorkers:
    def __init__(self, log_dir: Path, count: int, **environment: str) -> None:
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.log_dir = log_dir
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
            **environment,
        }
        self.processes: list[subprocess.Popen] = []
        self.started = 0
        for _ in range(count):
            self.start()

    def start(self) -> None:
        self.started += 1
        command = [sys.executable, "-m", "celery", "-A", "mpoffice", "worker", "-P", "solo", "-Q", self.queue]
        command += ["-n", f"w{self.started}@%h", "--without-heartbeat", "--without-gossip", "--without-mingle"]
        with (self.log_dir / f"worker{self.started}.log").open("wb") as log:
            process = subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)

    def kill_one(self) -> None:
        alive = [process for process in self.processes if process.poll() is None]
        os.kill(alive[0].pid, signal.SIGKILL)

    def replace_dead(self) -> None:
        for process in list(self.processes):
            if process.poll() is not None:
                self.processes.remove(process)
                self.start()

    def send(self, task) -> None:
        task.apply_async(queue=self.queue)

    def stop(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in sorted(self.log_dir.glob("worker*.log")))
