"""Trials on this machine, in worker processes (spawned, so each has its own torch).

The parent keeps ``workers`` processes, gives each idle one the next trial, and reads their
progress from one queue. A worker that dies (a crash, the OOM killer, SIGKILL) is noticed by
its exit code: its trial is reported "killed" and a fresh worker takes the next trial, so the
other trials go on. ``stop`` set in the parent stops every trial; each is saved as
interrupted by the train loop. Workers ignore SIGINT: Ctrl-C reaches the parent, which stops
them through ``stop``. A worker whose parent is gone (killed, even by SIGKILL) stops its
trial the same way within ~0.1 s and exits: no worker outlives its sweep.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

from tui_cnn.core.sweep.grid import Trial

OnMessage = Callable[[int, str, dict[str, Any]], None]


def cuda_count(device: str) -> int:
    """CUDA GPUs a sweep on ``device`` can spread over (0 for cpu; imports torch otherwise)."""
    if device.strip().lower() not in ("auto", "cuda"):
        return 0
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def local_layout(workers: int | None, threads: int | None, device: str,
                 cores: int | None = None) -> tuple[int, int, int]:
    """(workers, torch threads per worker, GPUs to spread over). Default workers: one per
    GPU on a machine with several, else one per core; threads so cores are not
    oversubscribed."""
    from tui_cnn.core.sweep.trial import threads_per_worker

    cores = cores or os.cpu_count() or 1
    gpus = cuda_count(device)
    chosen = workers or (gpus if gpus > 1 else cores)
    return max(1, chosen), threads or threads_per_worker(chosen, cores), gpus if gpus > 1 else 0


def _worker_main(inbox: Any, results: Any, stop: Any, threads: int, gpu: int | None,
                 log_path: str | None = None) -> None:
    """A worker process: run trials from ``inbox`` until it sends None. With ``log_path``
    its stdout and stderr go to that file (under the app, nothing may reach the terminal)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if log_path is not None:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    from tui_cnn.core.control import StopFlag
    from tui_cnn.core.sweep.trial import run_trial

    torch.set_num_threads(threads)
    parent = os.getppid()
    while True:
        task = _next_task(inbox, parent)
        if task is None:
            if os.getppid() != parent:  # nobody reads the queue now: do not wait on it
                results.cancel_join_thread()
            return
        index, cfg = task
        if cfg.threads is None:
            cfg = cfg.replace(threads=threads)
        if gpu is not None and cfg.device.strip().lower() in ("auto", "cuda"):
            cfg = cfg.replace(device=f"cuda:{gpu}")
        flag = StopFlag()
        watcher = threading.Thread(target=_watch, args=(stop, flag, parent), daemon=True)
        watcher.start()

        def emit(kind: str, payload: dict[str, Any], index: int = index) -> None:
            results.put((index, kind, payload))

        result = run_trial(cfg, flag, emit)
        results.put((index, "end", {**result, "pid": os.getpid()}))
        flag.set()  # ends the watcher


def _next_task(inbox: Any, parent: int) -> Any:
    """The next trial, or None when the parent says so or is gone."""
    while os.getppid() == parent:
        try:
            return inbox.get(timeout=0.5)
        except queue.Empty:
            continue
    return None


def _watch(stop: Any, flag: Any, parent: int) -> None:
    while not flag.is_set():
        if stop.wait(0.1) or os.getppid() != parent:
            flag.interrupt()
            return


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real stderr. It hands its process
    ``sys.stderr.fileno()``; under a UI that has replaced sys.stderr with one whose fileno()
    is -1 (the Textual app), spawning it fails ("bad value(s) in fds_to_keep"). It gets
    /dev/null there instead: nothing of it may reach the UI's terminal."""
    from multiprocessing import resource_tracker

    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (OSError, ValueError, AttributeError):
        usable = True  # the tracker leaves such a stderr out by itself
    if usable:
        resource_tracker.ensure_running()
        return
    saved = sys.stderr
    with open(os.devnull, "w") as null:
        sys.stderr = null
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved


@dataclass
class _Worker:
    process: BaseProcess
    inbox: Any
    gpu: int | None = None
    trial: int | None = None


class LocalPool:
    """``workers`` processes running ``trials``; progress goes to ``on_message``."""

    def __init__(self, workers: int, threads: int, gpus: int = 0,
                 log_dir: str | None = None) -> None:
        start_resource_tracker()  # before the first queue: its semaphores register there
        self.ctx = mp.get_context("spawn")
        self.log_dir = log_dir
        self.gpus = gpus
        self._spawned = 0
        self.workers_wanted = max(1, workers)
        self.threads = threads
        self.results: Any = self.ctx.Queue()
        self.stop_event: Any = self.ctx.Event()
        self.workers: list[_Worker] = []

    def _spawn(self, gpu: int | None = None) -> _Worker:
        inbox = self.ctx.Queue()
        if gpu is None and self.gpus > 1:
            gpu = self._spawned % self.gpus
        log = (os.path.join(self.log_dir, f"worker-{self._spawned}.log") if self.log_dir
               else None)
        self._spawned += 1
        process = self.ctx.Process(target=_worker_main, name="tui-cnn-sweep-worker",
                                   args=(inbox, self.results, self.stop_event, self.threads,
                                         gpu, log), daemon=True)
        process.start()
        worker = _Worker(process, inbox, gpu)
        self.workers.append(worker)
        return worker

    def pids(self) -> dict[int, int]:
        """Trial index -> pid of the worker running it."""
        return {w.trial: w.process.pid for w in self.workers
                if w.trial is not None and w.process.pid is not None}

    def run(self, trials: list[Trial], on_message: OnMessage, stop: threading.Event) -> None:
        pending = deque(trials)
        for _ in range(min(self.workers_wanted, len(trials))):
            self._spawn()
        try:
            while pending or any(w.trial is not None for w in self.workers):
                if stop.is_set():
                    self.stop_event.set()
                    pending.clear()
                self._assign(pending, on_message)
                self._drain(on_message, timeout=0.2)
                self._reap(on_message, pending)
        finally:
            self.close()

    def _assign(self, pending: deque[Trial], on_message: OnMessage) -> None:
        for worker in self.workers:
            if worker.trial is None and pending and worker.process.is_alive():
                trial = pending.popleft()
                worker.trial = trial.index
                worker.inbox.put((trial.index, trial.config))
                on_message(trial.index, "assigned", {"pid": worker.process.pid})

    def _drain(self, on_message: OnMessage, timeout: float) -> None:
        try:
            message = self.results.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            index, kind, payload = message
            if kind == "end":
                for worker in self.workers:
                    if worker.trial == index:
                        worker.trial = None
            on_message(index, kind, payload)
            try:
                message = self.results.get_nowait()
            except queue.Empty:
                return

    def _reap(self, on_message: OnMessage, pending: deque[Trial]) -> None:
        for worker in list(self.workers):
            if worker.process.is_alive():
                continue
            self._drain(on_message, timeout=0.05)  # what it said before it died
            self.workers.remove(worker)
            code = worker.process.exitcode
            if worker.trial is not None:
                how = (f"killed by signal {-code}" if code is not None and code < 0
                       else f"exited with code {code}")
                on_message(worker.trial, "end", {
                    "status": "killed", "reason": f"worker process {worker.process.pid} {how}",
                    "run_id": None, "run_dir": None})
            if pending and not self.stop_event.is_set():
                self._spawn(worker.gpu)  # a replacement, on the same GPU

    def close(self) -> None:
        for worker in self.workers:
            if worker.process.is_alive():
                worker.inbox.put(None)
        for worker in self.workers:
            worker.process.join(timeout=10)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout=5)
        self.workers.clear()
