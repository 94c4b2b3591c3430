"""Saved results load back with the dtypes they had: netCDF decodes dates as
datetime64[ns] and Parquet stores datetime64[s] as [ms], so a save records every column's
and variable's dtype in the manifest (``"dtypes"``) and a load casts back what changed."""

from __future__ import annotations

from typing import Any, TypeVar

import pandas as pd
import xarray as xr

__all__ = ["dtypes_of", "restore"]

T = TypeVar("T", pd.DataFrame, xr.Dataset)


def dtypes_of(obj: pd.DataFrame | xr.Dataset) -> dict[str, str]:
    """Column (or variable and coordinate) -> dtype, as text."""
    if isinstance(obj, pd.DataFrame):
        return {str(c): str(t) for c, t in obj.dtypes.items()}
    return {str(k): str(v.dtype) for k, v in obj.variables.items()}


def restore(obj: T, saved: dict[str, Any]) -> T:
    """``obj`` with every column or variable whose dtype differs from ``saved`` cast back."""
    if isinstance(obj, pd.DataFrame):
        wrong = {c: t for c, t in saved.items()
                 if c in obj.columns and str(obj[c].dtype) != t}
        return obj.astype(wrong) if wrong else obj  # type: ignore[no-any-return]
    for k, t in saved.items():
        if k in obj.variables and str(obj[k].dtype) != t:
            cast = obj[k].astype(t)
            obj = obj.assign_coords({k: cast}) if k in obj.coords else obj.assign({k: cast})
    return obj
