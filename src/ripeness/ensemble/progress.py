"""Progress of a long job on stderr, drawn by tqdm: done / total, rate, time left.

On a terminal tqdm redraws one line at most ten times a second; elsewhere (a log file, CI)
nothing is drawn and one line is written at the end. Every long job of the package (ensembles,
comparisons, backtests, sensitivity, discovery, calibration, ``simulate(progress=True)``) uses
this one class.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

from tqdm import tqdm

__all__ = ["Progress"]


def _clock(seconds: float) -> str:
    """h:mm:ss, or m:ss under an hour."""
    s = round(seconds)
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


class Progress:
    """Counts units (``label``: runs, days, points, ...) done out of ``total``. ``done`` may
    start above 0 (a resumed ensemble); the rate counts only the units done since the start of
    this session. Usable as a context manager (closes, or aborts on an exception)."""

    def __init__(self, total: int, done: int = 0, enabled: bool = True,
                 stream: TextIO | None = None, label: str = "runs") -> None:
        self.total, self.done, self.start_done = total, done, done
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.live = enabled and self.stream.isatty()
        self.label = label
        self.t0 = time.perf_counter()
        self.bar = tqdm(total=total, initial=done, unit=f" {label}", file=self.stream,
                        disable=not self.live, leave=False, mininterval=0.1,
                        dynamic_ncols=True, smoothing=0.1)

    def line(self) -> str:
        """The current state in one line."""
        return str(tqdm.format_meter(self.done, self.total, time.perf_counter() - self.t0,
                                     unit=f" {self.label}", initial=self.start_done,
                                     ncols=100))

    def update(self, n: int) -> None:
        """``n`` more units are done."""
        self.done += n
        self.bar.update(n)

    def abort(self) -> None:
        """End a live bar without a summary (the job failed or was interrupted)."""
        self.bar.close()

    def close(self) -> None:
        """The final line: units done, wall time and rate."""
        self.bar.close()
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.t0
        new = self.done - self.start_done
        rate = new / elapsed if elapsed > 0 else 0.0
        self.stream.write(f"{self.done:,}/{self.total:,} {self.label} done ({new:,} in "
                          f"{_clock(elapsed)}, {rate:,.1f} {self.label}/s)\n")
        self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()
