"""Features of open deals at a cut, as numpy columns (no per-deal Python loops).

Categorical fields (owner, source, pipeline) are target-encoded: the logit of the win
rate of their closed deals, shrunk to the overall rate with ``ENCODER_PRIOR`` pseudo-deals
(out-of-fold for training rows, so a deal's own outcome does not feed its feature).

A field whose missingness differs between won, lost and open deals is dropped: imported
data often fills amounts only for won deals, which would let the model read the outcome
from the amount ("leakage through the record"), then call every open deal lost.

A deal's traits and signals (its owner, source, amount, activity, answers, its age) need
not weigh the same in every stage: a trait acts on every conversion still ahead of it, so
it moves a first-stage deal's chance to be won eventually more than a final-stage deal's;
going quiet means a dead deal in the first stage and little in the final one; answers to
control questions exist only from the stage where they are asked. Each of STAGE_WISE
therefore has a common coefficient plus, per open stage with enough history, a deviation
(``stage_block``: the standardised column, centred within the stage, in that stage's rows
only), which the L2 penalty pulls towards the common effect. A stage where a column never
varies gets no deviation, so nothing is extrapolated into it. (One slope along the
pipeline, the earlier form, carried the first stage's strong inactivity effect and the
middle stages' answer effect linearly into the final stage: on the 315,000-deal synthetic
history of bench/forecast/run.py the top decile said 5.8 points more than was won; now 0.8.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .asof import State
from .closedate import STAGE_PRIOR, TimingModel
from .data import F_CONTRACT_PLANNED, F_DECISION, F_OTHER_PLANNED, LOST, WON, Frame

ENCODER_PRIOR = 20.0
MISSINGNESS_GAP = 0.25  # max gap of a field's missing share between won/lost/open deals
N_FOLDS = 5

BASE_NAMES = (
    "stage_position",
    "time_in_stage",
    "deal_age",
    "days_since_activity",
    "has_activity",
    "next_step",
    "next_step_overdue",
    "answers_yes",
    "answers_no",
    "milestones_planned",
    "decision_date",
    "planned_date_passed",
    "milestones_done",
    "stage_moves",
    "amount",
    "amount_missing",
    "owner",
    "source",
    "pipeline",
    "stage_history",
)
# the columns that also get a deviation per open stage (``stage_block``)
STAGE_WISE = tuple(n for n in BASE_NAMES if n not in ("stage_position", "stage_history"))
STAGE_WISE_COLS = np.array([BASE_NAMES.index(n) for n in STAGE_WISE])


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _missing_share_gap(missing: np.ndarray, st: State) -> float:
    shares = []
    for m in (st.exists & (st.kind == WON), st.exists & (st.kind == LOST), st.open):
        if m.sum() >= 20:
            shares.append(missing[m].mean())
    return (max(shares) - min(shares)) if len(shares) >= 2 else 0.0


@dataclass(frozen=True, eq=False)
class Encoders:
    global_rate: float
    owner: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # won, n (+ per fold)
    source: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    pipeline: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    use_amount: bool
    use_source: bool
    use_owner: bool
    amount_center: float

    def encode(self, which: str, cat: np.ndarray, fold: np.ndarray | None) -> np.ndarray:
        won, n, won_f, n_f = getattr(self, which)
        w = won[cat]
        c = n[cat]
        if fold is not None:
            w = w - won_f[fold, cat]
            c = c - n_f[fold, cat]
        g = self.global_rate
        return logit((w + ENCODER_PRIOR * g) / (c + ENCODER_PRIOR))


def fit_encoders(frame: Frame, st: State) -> Encoders:
    closed = st.exists & (st.kind != 0)
    won = st.exists & (st.kind == WON)
    g = (won.sum() + 1.0) / (closed.sum() + 2.0)
    fold = frame.deal_ids % N_FOLDS

    def counts(cat: np.ndarray, size: int):
        cw = np.bincount(cat[won], minlength=size).astype(float)
        cn = np.bincount(cat[closed], minlength=size).astype(float)
        fw = np.zeros((N_FOLDS, size))
        fn = np.zeros((N_FOLDS, size))
        np.add.at(fw, (fold[won], cat[won]), 1.0)
        np.add.at(fn, (fold[closed], cat[closed]), 1.0)
        return cw, cn, fw, fn

    owner_cat = np.where(frame.owner < 0, len(frame.owner_ids), frame.owner)
    amount_missing = np.isnan(frame.amount)
    use_amount = _missing_share_gap(amount_missing, st) <= MISSINGNESS_GAP
    use_source = _missing_share_gap(frame.source == 0, st) <= MISSINGNESS_GAP
    use_owner = _missing_share_gap(frame.owner < 0, st) <= MISSINGNESS_GAP
    have = st.exists & ~amount_missing
    center = float(np.median(np.log1p(frame.amount[have]))) if have.any() else 0.0
    return Encoders(
        global_rate=float(g),
        owner=counts(owner_cat, len(frame.owner_ids) + 1),
        source=counts(frame.source, len(frame.sources)),
        pipeline=counts(frame.pipeline, len(frame.pipeline_ids)),
        use_amount=use_amount,
        use_source=use_source,
        use_owner=use_owner,
        amount_center=center,
    )


def stage_prior(frame: Frame, st: State, idx: np.ndarray, timing: TimingModel) -> np.ndarray:
    """The stage's own chance to be won from this age in the stage (censoring-aware),
    shrunk to the stage's default probability while the stage has few closed spells."""
    stage = st.stage[idx]
    age = np.maximum(st.t - st.entered[idx], 0.0)
    emp = timing.remaining_win(stage, age)
    n = timing.n_exits[stage]
    out = (n * emp + STAGE_PRIOR * frame.stage_default_p[stage]) / (n + STAGE_PRIOR)
    return out


def feature_matrix(
    frame: Frame,
    st: State,
    idx: np.ndarray,
    enc: Encoders,
    prior: np.ndarray,
    folds: bool = False,
) -> np.ndarray:
    """Rows for deals ``idx`` (open at ``st.t``); columns = BASE_NAMES, one-hot stage."""
    t = st.t
    k = len(idx)
    stage = st.stage[idx]
    df = st.date_fields[idx]
    target = st.target_date[idx]
    amount = frame.amount[idx]
    miss = np.isnan(amount)
    fold = (frame.deal_ids[idx] % N_FOLDS) if folds else None
    owner_cat = np.where(frame.owner[idx] < 0, len(frame.owner_ids), frame.owner[idx])
    cols = [
        frame.stage_order_frac[stage],
        np.log1p(np.maximum(t - st.entered[idx], 0.0)),
        np.log1p(np.maximum(t - frame.created[idx], 0.0)),
        np.log1p(np.maximum(t - st.last_touch[idx], 0.0)),
        st.has_activity[idx].astype(float),
        (~np.isnan(st.next_due[idx])).astype(float),
        (st.next_due[idx] < t).astype(float),
        np.minimum(st.answers_yes[idx], 10.0),
        np.minimum(st.answers_no[idx], 10.0),
        (~np.isnan(df[:, F_CONTRACT_PLANNED])).astype(float)
        + (~np.isnan(df[:, F_OTHER_PLANNED])).astype(float),
        (~np.isnan(df[:, F_DECISION])).astype(float),
        (target < t).astype(float),
        (st.milestones_actual[idx] > 0).astype(float),
        np.log1p(st.n_changes[idx]),
        np.where(miss, 0.0, np.log1p(np.nan_to_num(amount)) - enc.amount_center)
        if enc.use_amount
        else np.zeros(k),
        miss.astype(float) if enc.use_amount else np.zeros(k),
        enc.encode("owner", owner_cat, fold) if enc.use_owner else np.zeros(k),
        enc.encode("source", frame.source[idx], fold) if enc.use_source else np.zeros(k),
        enc.encode("pipeline", frame.pipeline[idx], fold),
        logit(prior),
    ]
    onehot = np.zeros((k, frame.n_stages))
    onehot[np.arange(k), stage] = 1.0
    return np.column_stack([*cols, onehot])


def feature_names(frame: Frame) -> list[str]:
    """One name per column of ``feature_matrix``."""
    return list(BASE_NAMES) + ["stage"] * frame.n_stages


def stage_block(
    z: np.ndarray, stage: np.ndarray, groups: np.ndarray, centre: np.ndarray
) -> np.ndarray:
    """The per-stage deviation columns of standardised rows ``z`` (``feature_matrix``
    columns): for each stage of ``groups`` in turn, the STAGE_WISE columns minus that
    stage's training mean ``centre[g]``, in that stage's rows, zero elsewhere."""
    out = np.zeros((len(z), len(groups) * len(STAGE_WISE_COLS)))
    base = z[:, STAGE_WISE_COLS]
    for g, s in enumerate(groups):
        rows = stage == s
        if rows.any():
            block = slice(g * len(STAGE_WISE_COLS), (g + 1) * len(STAGE_WISE_COLS))
            out[rows, block] = base[rows] - centre[g]
    return out
