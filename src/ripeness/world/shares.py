"""Each belligerent's share of the stake: what the talks read from the battlefield."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from .compile import World

if TYPE_CHECKING:
    from ..engine import State

__all__ = ["shares"]


def shares(state: State, world: World,
           basis: Literal["value", "population", "area"] = "value") -> NDArray[np.float64]:
    """float[run, actor]: the value- (or population-, or area-) weighted share of the places
    each belligerent controls, among places held by belligerents; 0 for other actors. Rows sum
    to 1 when belligerents hold anything of weight."""
    w = {"value": world.value, "area": world.area}.get(basis, state.civilians)
    w = np.broadcast_to(w, state.control.shape)
    n_a = len(world.actor_ids)
    held = state.control[:, None, :] == np.arange(n_a)[None, :, None]  # [R, A, P]
    held &= world.belligerent[None, :, None]
    mass = (held * w[:, None, :]).sum(axis=2)
    total = mass.sum(axis=1, keepdims=True)
    return np.asarray(np.where(total > 0, mass / np.where(total > 0, total, 1.0), 0.0))
