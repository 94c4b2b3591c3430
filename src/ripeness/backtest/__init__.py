"""Backtest and calibration: compare simulated runs with the historical record of a scenario.

``backtest`` scores a scenario's runs against a record file (dated events and figures);
``calibrate`` fits the parameters a scenario declares uncertain to the record up to a cut-off
date and scores the fit after it. See docs/backtest.md for the score's definition.
"""

from .calibrate import Calibration, apply_patch_file, calibrate, read_patch, write_patch
from .record import Entry, Record, read_record
from .run import BacktestResult, backtest, format_table
from .score import KAPPA, TAU, Margin, margin_over_null

__all__ = [
    "KAPPA",
    "TAU",
    "BacktestResult",
    "Calibration",
    "Entry",
    "Margin",
    "Record",
    "apply_patch_file",
    "backtest",
    "calibrate",
    "format_table",
    "margin_over_null",
    "read_patch",
    "read_record",
    "write_patch",
]
