"""Progress of a long job a person can follow, stage by stage, and the time each stage took.

Three ways to show it, chosen by ``mode``:

* ``"bar"``: a tqdm bar per stage (count, rate, ETA) on the stream — what a terminal gets;
* ``"lines"``: plain lines, every ``interval`` seconds while a stage runs ("build: embed 1200/5000
  texts (24%), 40 s, about 2 min left") and one when it ends ("build: embed 5000 texts in 2 min 41
  s") — what a log file or CI gets;
* ``"off"``: nothing (``search build --quiet``).

``"auto"`` picks ``bar`` when the stream is a terminal, ``lines`` otherwise. Whatever the mode,
``timings`` records the seconds of every stage, in order.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

__all__ = ["Progress", "StageProgress", "MODES", "format_seconds"]

MODES = ("auto", "bar", "lines", "off")


def format_seconds(seconds: float) -> str:
    """A duration for a person: "0.42 s", "12.3 s", "2 min 05 s", "1 h 02 min"."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class StageProgress:
    """The progress of one stage: ``update(n)`` as work is done; ``total`` may be set late."""

    def __init__(self, owner: Progress, name: str, total: int | None, unit: str):
        self._owner = owner
        self.name = name
        self.unit = unit
        self.total = total
        self.done = 0
        self.started = time.perf_counter()
        self._last_line = self.started
        self._bar: Any = None
        if owner.mode == "bar":
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=f"{name:<10}", unit=f" {unit}", file=owner.stream,
                             leave=True, mininterval=0.5, dynamic_ncols=True)

    def set_total(self, total: int) -> None:
        self.total = total
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self._owner.mode == "lines":
            now = time.perf_counter()
            if now - self._last_line >= self._owner.interval:
                self._last_line = now
                self._owner.say(self._line(now))

    def _line(self, now: float) -> str:
        elapsed = now - self.started
        if self.total:
            share = self.done / self.total
            left = (f", about {format_seconds(elapsed / share - elapsed)} left"
                    if 0 < self.done < self.total else "")
            return (f"{self.name} {self.done}/{self.total} {self.unit} ({share:.0%}), "
                    f"{format_seconds(elapsed)}{left}")
        return f"{self.name} {self.done} {self.unit}, {format_seconds(elapsed)}"

    def close(self, failed: bool = False) -> float:
        seconds = time.perf_counter() - self.started
        if self._bar is not None:
            self._bar.close()
        elif self._owner.mode == "lines" and seconds >= self._owner.quiet_below and not failed:
            # a failed stage says nothing: the error is the one line the user reads
            count = f" {self.done} {self.unit}" if self.done else ""
            self._owner.say(f"{self.name}{count} in {format_seconds(seconds)}")
        return seconds


class Progress:
    """Stages of one job with their timings; see the module's docstring for ``mode``."""

    def __init__(self, mode: str = "auto", stream: IO[str] | None = None, *, prefix: str = "build",
                 interval: float = 10.0, quiet_below: float = 0.0):
        if mode not in MODES:
            raise ValueError(f"progress mode must be one of {MODES}, not {mode!r}")
        self.stream = stream if stream is not None else sys.stderr
        if mode == "auto":
            isatty = getattr(self.stream, "isatty", None)
            mode = "bar" if isatty is not None and isatty() else "lines"
        self.mode = mode
        self.prefix = prefix
        self.interval = interval
        self.quiet_below = quiet_below  # in "lines" mode, stages quicker than this end silently
        self.timings: dict[str, float] = {}

    def say(self, text: str) -> None:
        if self.mode != "off":
            print(f"{self.prefix}: {text}", file=self.stream, flush=True)

    def stage(self, name: str, total: int | None = None, unit: str = "articles") -> _StageContext:
        """``with progress.stage("embed", total=n, unit="texts") as p: ... p.update(k)``."""
        return _StageContext(self, name, total, unit)


class _StageContext:
    def __init__(self, owner: Progress, name: str, total: int | None, unit: str):
        self._args = (owner, name, total, unit)
        self._stage: StageProgress | None = None

    def __enter__(self) -> StageProgress:
        self._stage = StageProgress(*self._args)
        return self._stage

    def __exit__(self, exc_type, *exc) -> None:
        assert self._stage is not None
        owner, name = self._args[0], self._args[1]
        owner.timings[name] = owner.timings.get(name, 0.0) + self._stage.close(failed=exc_type is not None)
