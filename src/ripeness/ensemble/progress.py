"""A small progress bar on stderr: runs done / total, rate, time left.

On a terminal it redraws one line at most ten times a second; elsewhere (a log file, CI) it
stays quiet and writes one line at the end.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]

WIDTH = 28  # characters of bar


def _clock(seconds: float) -> str:
    """h:mm:ss, or m:ss under an hour."""
    s = round(seconds)
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


class Progress:
    """Counts runs done out of ``total``. ``done`` may start above 0 (a resumed ensemble);
    the rate counts only the runs done since the start of this session."""

    def __init__(self, total: int, done: int = 0, enabled: bool = True,
                 stream: TextIO | None = None, label: str = "runs") -> None:
        self.total, self.done, self.start_done = total, done, done
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.live = enabled and self.stream.isatty()
        self.label = label
        self.t0 = self.last = time.perf_counter()

    def line(self) -> str:
        """The current state in one line."""
        elapsed = time.perf_counter() - self.t0
        rate = (self.done - self.start_done) / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        frac = self.done / self.total if self.total else 1.0
        bar = "#" * int(frac * WIDTH)
        eta = _clock(left) if left == left else "?"
        return (f"[{bar:<{WIDTH}s}] {self.done:,}/{self.total:,} {self.label}  "
                f"{rate:,.0f} {self.label}/s  ETA {eta}")

    def update(self, n: int) -> None:
        """``n`` more runs are done."""
        self.done += n
        now = time.perf_counter()
        if self.live and (now - self.last >= 0.1 or self.done >= self.total):
            self.last = now
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def abort(self) -> None:
        """End a live line without a summary (the run failed or was interrupted)."""
        if self.live:
            self.stream.write("\n")
            self.stream.flush()

    def close(self) -> None:
        """The final line: runs done, wall time and rate."""
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.t0
        new = self.done - self.start_done
        rate = new / elapsed if elapsed > 0 else 0.0
        pad = " " * 20 if self.live else ""  # wipe the end of the live bar
        self.stream.write(f"{chr(13) if self.live else ''}{self.done:,}/{self.total:,} "
                          f"{self.label} done ({new:,} in {_clock(elapsed)}, "
                          f"{rate:,.0f} {self.label}/s){pad}\n")
        self.stream.flush()
