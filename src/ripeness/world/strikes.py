"""An air campaign beyond fighters: strikes on heavy weapons, command and air defences.

A scenario may give an actor ``arms``: heavy weapons, command posts and air-defence systems,
with the share of its fire power each is worth, and a backer's support entry ``strikes``: the
shares of its daily sorties flown against its client's enemies' heavy weapons, command and air
defences instead of their places (a share falls back on places while no enemy has that
system left). Each enemy takes a part of those sorties in proportion to the backer's strike
weight on it; an enemy under a ceasefire with the client is not struck. A sortie destroys
``sortie_heavy_kill`` heavy weapons, ``sortie_command_kill`` command posts or
``sortie_air_defence_kill`` air-defence systems. An actor's fire power is multiplied by
(1 - heavy share x heavy weapons lost) x (1 - command weight x command lost), its command
restoring ``command_recovery`` of its loss a day; its intact air defences screen a share
(its cover, times the share of its air defences left) of every sortie flown against it or its
places. Without ``arms`` nothing here runs. Loops run over support entries and the three
systems, never over runs or places.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from .compile import Params, World

__all__ = ["AIR_DEFENCES", "COMMAND", "HEAVY", "SYSTEMS", "campaign", "fire_factor", "screen"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

SYSTEMS = ("heavy_weapons", "command", "air_defences")
HEAVY, COMMAND, AIR_DEFENCES = 0, 1, 2
_KILL_PARAMS = ("sortie_heavy_kill", "sortie_command_kill", "sortie_air_defence_kill")


def fire_factor(arms: F64, world: World) -> F64:
    """float[run, actor]: each actor's fire power multiplier from what is left of its heavy
    weapons and command (``arms``: float[run, actor, system], the share left)."""
    w = world.arms_weight
    lost = 1.0 - arms
    return np.asarray((1.0 - w[None, :, HEAVY] * lost[..., HEAVY])
                      * (1.0 - w[None, :, COMMAND] * lost[..., COMMAND]))


def screen(arms: F64, world: World) -> F64:
    """float[run, actor]: the share of the sorties flown against each actor that its air
    defences let through."""
    return np.asarray(1.0 - world.arms_weight[None, :, AIR_DEFENCES] * arms[..., AIR_DEFENCES])


def _on_systems(arms: F64, aid: F64, ceasefire: B, world: World,
                p: Params) -> tuple[F64, F64]:
    """(sorties that reach each actor's systems, float[run, actor, system]; share of each
    support entry's sorties kept for places, float[run, support])."""
    n_r, n_a = arms.shape[:2]
    has = (world.arms0[None] > 0) & (arms > 0)
    hit = np.zeros((n_r, n_a, 3))
    keep = np.ones((n_r, len(world.support_ids)))
    through = screen(arms, world)
    for e in np.flatnonzero((p.sorties > 0) & (p.strike_mix.sum(axis=1) > 0)):
        c = int(world.support_client[e])
        w = np.where(world.hostile[c][None, :] & ~ceasefire[:, c, :], p.strike_w[e][None, :],
                     0.0)
        flown = p.sorties[e] * aid[:, e]
        for k in range(3):
            tw = w * has[:, :, k]
            tot = tw.sum(axis=1, keepdims=True)
            part = np.where(tot > 0, p.strike_mix[e, k], 0.0)  # [run, 1]
            share = np.where(tot > 0, tw / np.where(tot > 0, tot, 1.0), 0.0)
            hit[:, :, k] += flown[:, None] * part * share * through
            keep[:, e] -= part[:, 0]
    return hit, keep


def campaign(flown: F64, control: I64, arms: F64, aid: F64, ceasefire: B, world: World,
             p: Params) -> tuple[F64, F64]:
    """Today's strikes on target systems and the air defences' screen: (the sorties that reach
    each place, float[run, support, place]; the systems left, float[run, actor, system])."""
    hit, keep = _on_systems(arms, aid, ceasefire, world, p)
    through = screen(arms, world)
    rows = np.arange(control.shape[0])[:, None]
    flown = flown * keep[:, :, None] * through[rows, control][:, None, :]
    kill = np.array([p.num(k) for k in _KILL_PARAMS])
    stock = np.maximum(world.arms0, 1e-12)[None]
    left = arms.copy()
    lost_c = 1.0 - left[..., COMMAND]  # yesterday's loss, partly restored today
    left[..., COMMAND] = 1.0 - lost_c * (1.0 - p.num("command_recovery"))
    left = np.clip(left - hit * kill / stock, 0.0, 1.0)
    left = np.where(left < 1e-9, 0.0, left)  # the last weapon is gone, not a rounding of it
    left = np.where(world.arms0[None] > 0, left, 1.0)
    return np.asarray(flown), np.asarray(left)
