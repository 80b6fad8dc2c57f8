"""Trials as Ray tasks: ``--ray`` (a local Ray started here) or ``--ray ADDRESS`` (a cluster).

Each trial is one ``@ray.remote(num_cpus=..., num_gpus=...)`` task. The task trains into a
temporary folder on whatever node runs it and returns the run folder's files as bytes; they
are written into the local runs dir here, so a remote cluster (which cannot write our disk)
and a local Ray give the same result. The package travels to the workers as a Ray
``py_modules`` runtime environment. Ray is imported only in this module, only for ``--ray``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_cnn.core.atomic import atomic_write_bytes
from tui_cnn.core.config import ConfigError, TrainConfig
from tui_cnn.core.sweep.grid import Trial

OnMessage = Callable[[int, str, dict[str, Any]], None]
_PACKAGE = Path(__file__).resolve().parents[2]  # the tui_cnn folder
STOP_GRACE_S = 60.0  # after a stop, how long running tasks get to save before a force-cancel


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError("--ray needs Ray, which is not installed here; install it with "
                          "pip install -e '.[ray]' (or pip install 'ray>=2.9')") from None
    return ray


def check_address(address: str, timeout_s: float = 3.0) -> None:
    """A ``host:port`` that nothing answers on is refused at once, not after Ray's retries."""
    if address == "auto" or "://" in address and not address.startswith("ray://"):
        return
    hostport = address.removeprefix("ray://")
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit():
        raise ConfigError(f"Ray address {address!r} must look like HOST:PORT "
                          "(e.g. 10.0.0.5:6379 or ray://head:10001) or auto")
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise ConfigError(f"cannot reach a Ray cluster at {address}: "
                          f"{exc.strerror or exc}") from None


class Channel:
    """A Ray actor between the driver and the tasks: progress up, the stop request down."""

    def __init__(self) -> None:
        self.messages: list[tuple[int, str, dict[str, Any]]] = []
        self.stopped = False

    def put(self, index: int, kind: str, payload: dict[str, Any]) -> None:
        self.messages.append((index, kind, payload))

    def take(self) -> list[tuple[int, str, dict[str, Any]]]:
        out, self.messages = self.messages, []
        return out

    def stop(self) -> None:
        self.stopped = True

    def is_stopped(self) -> bool:
        return self.stopped


def _watch_stop(channel: Any, flag: Any, done: threading.Event) -> None:
    import ray

    while not done.wait(0.5):
        try:
            if ray.get(channel.is_stopped.remote(), timeout=5):
                flag.interrupt()
                return
        except Exception:  # the driver went away: stop as if asked
            flag.interrupt()
            return


def _trial_task(index: int, cfg_dict: dict[str, Any], threads: int,
                channel: Any) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Runs on a Ray worker: train into a temp folder, return the result and its files.
    Progress goes to ``channel``; a stop asked there ends the run as interrupted (saved)."""
    import torch

    from tui_cnn.core.control import StopFlag
    from tui_cnn.core.sweep.trial import run_trial

    torch.set_num_threads(threads)
    channel.put.remote(index, "assigned", {"pid": os.getpid(), "node": socket.gethostname()})
    flag, done = StopFlag(), threading.Event()
    threading.Thread(target=_watch_stop, args=(channel, flag, done), daemon=True).start()
    scratch = tempfile.mkdtemp(prefix="tui-cnn-ray-")
    try:
        cfg = TrainConfig.from_dict({**cfg_dict, "runs_dir": scratch, "threads": threads})
        result = run_trial(cfg, flag,
                           lambda kind, payload: channel.put.remote(index, kind, payload))
        files: dict[str, bytes] = {}
        if result.get("run_id"):
            folder = Path(scratch) / str(result["run_id"])
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    files[path.relative_to(folder).as_posix()] = path.read_bytes()
        return {**result, "node": socket.gethostname()}, files
    finally:
        done.set()
        shutil.rmtree(scratch, ignore_errors=True)


def write_run_files(runs_dir: Path, run_id: str, files: dict[str, bytes]) -> Path:
    """The run folder as it was on the worker, written here file by file (atomically)."""
    folder = runs_dir / run_id
    folder.mkdir(parents=True, exist_ok=False)
    for name, payload in files.items():
        target = folder / name
        if target.resolve().parent != folder.resolve() and \
                folder.resolve() not in target.resolve().parents:
            raise ConfigError(f"a Ray task returned a file outside its run folder: {name!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, payload)
    return folder


@dataclass
class RayBackend:
    address: str | None  # None: start a local Ray with ``num_cpus``
    num_cpus: int
    cpus_per_trial: float = 1.0
    gpus_per_trial: float = 0.0
    workers: int = 1

    def __post_init__(self) -> None:
        self.workers = max(1, int(self.num_cpus // max(self.cpus_per_trial, 1e-9)))

    def connect(self) -> Any:
        ray = import_ray()
        if self.address:
            check_address(self.address)
        env = {"py_modules": [str(_PACKAGE)],
               "env_vars": {"OMP_WAIT_POLICY": "PASSIVE"}}
        try:
            if self.address:
                ray.init(address=self.address, runtime_env=env, log_to_driver=False,
                         logging_level="WARNING")
            else:
                ray.init(num_cpus=self.num_cpus, include_dashboard=False, runtime_env=env,
                         log_to_driver=False, logging_level="WARNING")
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ConfigError(f"cannot start Ray ({self.address or 'local'}): {exc}") from None
        try:
            self.check_fits(ray.cluster_resources())
        except ConfigError:
            ray.shutdown()
            raise
        return ray

    def check_fits(self, cluster: dict[str, float]) -> None:
        """ConfigError if no trial could ever be placed on ``cluster`` (Ray's totals): Ray
        would queue every task and wait for ever, saying nothing (a GPU per trial asked of a
        cluster without one)."""
        for name, per_trial, flag in (("CPU", self.cpus_per_trial, "--cpus-per-trial"),
                                      ("GPU", self.gpus_per_trial, "--gpus-per-trial")):
            have = float(cluster.get(name, 0.0))
            if per_trial > have:
                raise ConfigError(f"the Ray cluster ({self.address or 'local'}) has "
                                  f"{have:g} {name}(s) in all: no trial can get the "
                                  f"{per_trial:g} that {flag} asks for")

    def execute(self, trials: list[Trial], on_message: OnMessage,
                stop: threading.Event) -> None:
        ray = self.connect()
        try:
            self._run(ray, trials, on_message, stop)
        finally:
            ray.shutdown()

    def _run(self, ray: Any, trials: list[Trial], on_message: OnMessage,
             stop: threading.Event) -> None:
        task = ray.remote(num_cpus=self.cpus_per_trial, num_gpus=self.gpus_per_trial,
                          max_retries=0)(_trial_task)
        channel = ray.remote(num_cpus=0)(Channel).remote()
        threads = max(1, int(self.cpus_per_trial))
        refs = {task.remote(t.index, t.config.to_dict(), threads, channel): t for t in trials}
        begun: set[int] = set()
        asked_at: float | None = None
        while refs:
            self._relay(ray, channel, refs, begun, on_message)
            if stop.is_set() and asked_at is None:
                asked_at = time.monotonic()
                ray.get(channel.stop.remote())
                for ref, trial in list(refs.items()):  # queued, never started: just drop
                    if trial.index not in begun:
                        with contextlib.suppress(Exception):
                            ray.cancel(ref)
                        refs.pop(ref)
            if asked_at is not None and time.monotonic() - asked_at > STOP_GRACE_S:
                for ref in refs:
                    with contextlib.suppress(Exception):
                        ray.cancel(ref, force=True)
            done, _ = ray.wait(list(refs), num_returns=1, timeout=0.5)
            if done:
                self._relay(ray, channel, refs, begun, on_message)
            for ref in done:
                self._collect(ray, ref, refs.pop(ref), on_message)

    @staticmethod
    def _relay(ray: Any, channel: Any, refs: dict[Any, Trial], begun: set[int],
               on_message: OnMessage) -> None:
        """The tasks' progress, passed on (only for trials still out: none after "end")."""
        live = {t.index for t in refs.values()}
        for index, kind, payload in ray.get(channel.take.remote()):
            if index in live:
                begun.add(index)
                on_message(index, kind, payload)

    def _collect(self, ray: Any, ref: Any, trial: Trial, on_message: OnMessage) -> None:
        try:
            result, files = ray.get(ref)
        except ray.exceptions.TaskCancelledError:
            on_message(trial.index, "end", {"status": "interrupted", "reason":
                       "the sweep was stopped; the Ray task was cancelled", "run_id": None})
            return
        except ray.exceptions.WorkerCrashedError as exc:
            on_message(trial.index, "end", {"status": "killed", "reason":
                       f"Ray worker died: {str(exc).splitlines()[0]}", "run_id": None})
            return
        except ray.exceptions.RayError as exc:
            on_message(trial.index, "end", {"status": "failed", "reason":
                       f"Ray task failed: {str(exc).splitlines()[0]}", "run_id": None})
            return
        runs_dir = Path(trial.config.runs_dir or os.getcwd())
        if result.get("run_id") and files:
            result["run_dir"] = str(write_run_files(runs_dir, result["run_id"], files))
        on_message(trial.index, "end", result)
