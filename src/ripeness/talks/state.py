"""The talks' state, the engine's daily observation, pre-drawn noise and the session record.

Every array has a leading run axis. K = parties, I = issues, B = backers, S = support entries
for the parties (``TalksSpec.sup_*``), N = support entries in the scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CAUSES",
    "CLOSED",
    "COST_PARTS",
    "NOT_OPEN",
    "OPEN",
    "PHASES",
    "SETTLED",
    "SUSPENDED",
    "SessionRecord",
    "TalksNoise",
    "TalksObs",
    "TalksState",
]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Ints = NDArray[np.int64]
Int8 = NDArray[np.int8]

#: Phase codes (``TalksState.phase``): talks not yet open, open (sessions on schedule),
#: suspended (pause), settled (a deal: the war between the parties is over), closed.
NOT_OPEN, OPEN, SUSPENDED, SETTLED, CLOSED = 0, 1, 2, 3, 4
PHASES = ("not open", "open", "suspended", "settled", "closed")

#: Cause codes (``SessionRecord.cause``): why a session ended without a deal.
#: 1..4 and 7 are the causes whose removal is tried as a counterfactual
#: (COUNTERFACTUAL_CAUSES); 5: a range existed but the mediator misjudged it (private
#: information); 6: every party accepted, but a backer withheld its guarantee (its limited
#: aim unmet); 7: a party's fear that the deal is not honoured (``settlement_risk``, Walter
#: 1997) closed the range: no outside guarantee.
CAUSES = ("none", "optimism", "shifting power", "indivisible issue", "costs too low",
          "private information", "backer's veto", "no guarantee")
#: The causes tried as counterfactuals, in the column order of ``SessionRecord.counterfactual``.
COUNTERFACTUAL_CAUSES = ("optimism", "shifting power", "indivisible issue", "costs too low",
                         "no guarantee")
#: The parts of a party's felt cost of fighting (``SessionRecord.cost_parts``, last axis).
COST_PARTS = ("dead", "front", "siege")


@dataclass(frozen=True)
class TalksObs:
    """What the war engine reports each day.

    shares: float64[run, K], each party's value-weighted share of the stake (sum <= 1);
    deaths: float64[run, K], the party's own military dead that day, persons (the coupling
    divides the engine's fighters out of action by ``out_of_action_per_death``);
    backer_satisfied: bool[run, B], whether each backer's limited objective is met today;
    forecast: optional float64[run, K], a model-consistent forecast of each party's share:
    its share after ``forecast_lookahead_days`` of the engine run forward from today
    (``coupling.model_forecast``, see ``beliefs.ForecastHook``), which the talks take for the
    share after their horizon (docs/model.md section 10 item 2); None: each party forecasts
    from its learned beliefs. front: optional float64[run, K], the fraction
    of the party's fighters on its places next to another party's (the front it holds);
    besieged: optional float64[run, K], the fraction of the civilians in its places that are
    cut off from supply. None: 0. fought: optional bool[run], whether two of the talks'
    parties fought each other today (an assault by one on a place of another); None: every
    day without a ceasefire counts as a day of battle.
    """

    shares: Floats
    deaths: Floats
    backer_satisfied: Bools
    forecast: Floats | None = None
    front: Floats | None = None
    besieged: Floats | None = None
    fought: Bools | None = None


@dataclass(frozen=True)
class TalksNoise:
    """Random draws for one day, drawn by the engine's counter-based RNG (batch invariant).

    estimate: float64[run, K], standard normals: the mediator's error estimating each
    reservation (scaled by ``estimate_noise``); ceasefire: float64[run], uniforms on [0, 1):
    a ceasefire in force breaks down when below ``ceasefire_breakdown``.
    """

    estimate: Floats
    ceasefire: Floats

    @classmethod
    def quiet(cls, runs: int, k: int) -> TalksNoise:
        """No estimation error, no ceasefire breakdown (for tests and the theory checks)."""
        return cls(np.zeros((runs, k)), np.ones(runs))


@dataclass(frozen=True)
class TalksState:
    """The talks of every run.

    phase: int8[run] (PHASES); next_session, resume_day: int64[run], days from start;
    failures: int64[run], sessions in a row with no range found; sessions: int64[run] held;
    prev_shares: float64[run, K] (NaN before the first day). Beliefs, float64[run, K]:
    pace, the share of the stake each party has learnt to expect to change hands per day;
    won, lost, battles it has won and lost; prior_win, its chance of winning a battle judged
    from the forces at the start (before its optimism); dead_rate (dead/day), front_rate and
    siege_rate (fractions), the costs it has felt, smoothed from 0. floor: float64[run, K],
    the least reservation the mediator has learnt from each party's refusals since the talks
    last opened or resumed (-inf: none). ceasefire: bool[run];
    covered: bool[run, M], clients not at the table bound by it;
    terms: float64[run, K], settled shares (NaN until settled); granted: bool[run, I] issues
    granted in the deal; pressed: bool[run, S], backer presses its client; cost_mult:
    float64[run, K], multiplier on each party's cost of fighting; aid_factor: float64[run,
    N], fraction of each support entry's aid delivered; truce_broken: bool[run], a ceasefire
    broke and no session has been held since (only a session can agree a new one). stage:
    int64[run], the phase of the talks whose settings are in force (0: the [talks] table's
    own, :mod:`.phases`); calm: int64[run], days in a row with a ceasefire in force (None
    only inside ``talks_step``); convened: bool[run], a phase convenes the talks tomorrow (a
    suspension ends for it whatever the mediator's reading; None: none).
    """

    phase: Int8
    next_session: Ints
    resume_day: Ints
    failures: Ints
    sessions: Ints
    prev_shares: Floats
    pace: Floats
    won: Floats
    lost: Floats
    prior_win: Floats
    dead_rate: Floats
    front_rate: Floats
    siege_rate: Floats
    floor: Floats
    ceasefire: Bools
    covered: Bools
    terms: Floats
    granted: Bools
    pressed: Bools
    cost_mult: Floats
    aid_factor: Floats
    truce_broken: Bools
    stage: Ints | None = None
    calm: Ints | None = None
    convened: Bools | None = None

    @property
    def settled(self) -> Bools:
        """bool[run]: a deal ended the war between the parties (the engine masks these)."""
        return np.asarray(self.phase == SETTLED)


@dataclass(frozen=True)
class SessionRecord:
    """One day of talks in every run (fields are meaningful where ``held`` unless noted).

    Every day: phase int8[run] (after the day); share, forecast, value, cost, reservation
    float64[run, K] (stake units; value: what fighting on over the horizon is worth, the
    held share day by day along the forecast path; reservation = value − cost, before
    issues); cost_parts float64[run, K, 3] the cost split by COST_PARTS; drift float64[run, K]
    (the share a party expects to gain a day), pace, p_battle (its belief of winning a
    battle); holds bool[run, I, K] (the party insists on issue I, held indivisible and
    priced by its forecast); escalation, suspended, resumed, deferred (a pause ended with no
    range in the mediator's sight: put off for another pause), appealed, ceasefire (in force
    after the day), ceasefire_agreed, ceasefire_broke, settled (today) bool[run]; ripe
    bool[run], ripeness_margin float64[run] (Zartman's test on the parties' own beliefs: the
    pain Σ cost less the joint optimism Σ value − 1; ripe iff >= 0), p_win and
    expected_battles float64[run, K] (each party's random-walk view of the war); pressed
    bool[run, S] (a backer presses its client
    after the day), restrained bool[run, S] (and cuts its aid); aim_met bool[run, B] (each
    backer's limited aim is met today).
    Sessions: held bool[run]; hearing bool[run] (a session before the mediator's first
    proposal: no offer, not a failure);
    package int64[run] (row of ``spec.packages`` offered, -1 none);
    required float64[run, K] true least shares for that package (best package if none);
    issue_adj float64[run, K] what the issues of that package add to each requirement;
    estimate float64[run, K] the mediator's estimate of them; estimated_range, range_exists
    bool[run]; width float64[run] (1 − Σ required for the best package; < 0: no range);
    offer float64[run, K] (NaN: no offer); accepted bool[run, K]; margin float64[run, K]
    (offer − required: < 0 is a refusal by that much); proposer int64[run] (-1: mediator);
    backer_veto bool[run, S] (a backer withheld its guarantee from an accepted offer);
    cause int8[run] (CAUSES); counterfactual float64[run, 5]: the width the range would have
    had without optimism, without rising trends, with issues made divisible, with costs
    doubled, with the deal guaranteed (COUNTERFACTUAL_CAUSES); counterfactual_war float64[run,
    4]: the same but the issues, with the issues set aside (the war's own gap); ceasefire_refused
    bool[run, K] (a party that refused a ceasefire today);
    backer_refused bool[run, S]. stage int64[run]: the phase of the talks in force today
    (None without phases).
    """

    day: int
    phase: Int8
    share: Floats
    forecast: Floats
    value: Floats
    cost: Floats
    cost_parts: Floats
    reservation: Floats
    drift: Floats
    pace: Floats
    p_battle: Floats
    holds: Bools
    escalation: Bools
    suspended: Bools
    resumed: Bools
    deferred: Bools
    appealed: Bools
    ceasefire: Bools
    ceasefire_agreed: Bools
    ceasefire_broke: Bools
    settled: Bools
    ripe: Bools
    ripeness_margin: Floats
    p_win: Floats
    expected_battles: Floats
    pressed: Bools
    restrained: Bools
    aim_met: Bools
    held: Bools
    hearing: Bools
    package: Ints
    required: Floats
    issue_adj: Floats
    estimate: Floats
    estimated_range: Bools
    range_exists: Bools
    width: Floats
    offer: Floats
    accepted: Bools
    margin: Floats
    proposer: Ints
    backer_veto: Bools
    cause: Int8
    counterfactual: Floats
    counterfactual_war: Floats
    ceasefire_refused: Bools
    backer_refused: Bools
    stage: Ints | None = None
