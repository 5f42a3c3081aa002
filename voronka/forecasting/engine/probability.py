"""Win probability of open deals: a regularised logistic regression on snapshots of the
organisation's own past open deals, blended towards the stage prior while history is thin.

Training rows: the deals open at past cut dates s (a grid up to ``t - H``), with their
features as known at s. The label is the outcome as known at ``t``: won 1, lost 0, and for a
deal still open at ``t`` its chance to be won from where it stands then (the censoring-aware
stage estimate of ``TimingModel``), entered as a row weighted by that chance with label 1
and one weighted by the rest with label 0. So the model learns P(won eventually), the
quantity the period forecast splits over time and the backtest scores; a fixed "won within
H days" label would call every slow win a loss and read low. H (the 90th percentile of the
time from creation to a win, within [30, 365] days) only keeps snapshots old enough for most
of their outcomes to be known; nothing after ``t`` is used.

A logistic regression fitted by maximum likelihood is calibrated on its training
distribution by construction (its L2 penalty chosen on held-out deals, ``choose_penalty``,
so that a young history does not fit noise); the stage prior enters as a feature (its
logit), so the model learns how far to move away from it. The result is
``w * model + (1 - w) * prior`` with ``w = n / (n + MODEL_PRIOR_DEALS)``, n the labelled
deals that stood in the deal's stage at a snapshot: the model has learned nothing about a
stage no deal of the history has been seen in (an import that knows a deal only in its
current stage), so there the stage prior alone counts. With no closed deals at all it is
the stage's default probability.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression

from .asof import State, as_of, state
from .closedate import TimingModel, win_horizon
from .data import OPEN, WON, Frame
from .features import (
    STAGE_WISE,
    STAGE_WISE_COLS,
    Encoders,
    feature_matrix,
    feature_names,
    fit_encoders,
    stage_block,
    stage_prior,
)

MODEL_PRIOR_DEALS = 50.0
MAX_SNAPSHOTS = 24
MAX_ROWS = 200_000
MIN_CLASS_ROWS = 5
L2_C = 1.0  # the penalty of a long history, or when there are too few rows to choose
# Candidate penalties (sklearn's C: smaller is stronger), chosen by cross-validation over
# deals (at most CV_ROWS training rows) when the rows come from at most CV_DEALS deals.
PENALTIES = (1.0, 0.3, 0.1, 0.03)
CV_FOLDS = 4
CV_ROWS = 20_000
CV_DEALS = 20_000
SHIFT_ORIGINS = 3  # latest snapshot dates replayed to measure the model's drift
SHIFT_ROWS = 50_000  # training rows (at most) of each replayed fit
# an open stage gets its own deviations of the STAGE_WISE coefficients when its training
# rows come from at least this many deals, with both outcomes among them
MIN_STAGE_DEALS = 50


@dataclass(frozen=True, eq=False)
class ProbabilityModel:
    encoders: Encoders
    timing: TimingModel
    mean: np.ndarray | None
    scale: np.ndarray | None
    coef: np.ndarray | None
    intercept: float
    weight: float  # weight of the learned model vs the stage prior
    horizon: float
    n_rows: int
    n_deals: int
    names: tuple[str, ...]
    shift: float = 0.0  # log-odds correction measured on the latest past snapshots
    penalty: float = L2_C  # the L2 penalty (sklearn's C) chosen by choose_penalty
    groups: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    centre: np.ndarray = field(default_factory=lambda: np.zeros((0, len(STAGE_WISE))))
    # the learned model's weight per stage: n / (n + MODEL_PRIOR_DEALS) with n the stage's
    # training deals (a stage no training deal stood in gets its prior alone)
    stage_weight: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # the range of each standardised column over the training rows: a deal is scored with
    # its columns held inside it (``design``); None only without a fitted model
    low: np.ndarray | None = None
    high: np.ndarray | None = None

    def weights(self, st: State, idx: np.ndarray) -> np.ndarray:
        if not len(self.stage_weight):
            return np.full(len(idx), self.weight)
        return self.stage_weight[st.stage[idx]]

    def design(self, frame: Frame, st: State, idx: np.ndarray, prior: np.ndarray) -> np.ndarray:
        """The standardised model rows of deals ``idx``: features, then stage deviations.

        Each column is held inside the range the training rows spanned. A linear model
        says nothing reliable beyond it, and a column that barely varied in training has a
        small scale, so a value outside its range becomes a huge one: a young history's
        snapshots saw deals of at most six weeks in their stage, where the stage's own
        chance (the ``stage_history`` column) hardly moves; three months in, it had moved
        29 of those sds, and deals of which 56% were won were given 0.95.
        """
        z = (feature_matrix(frame, st, idx, self.encoders, prior) - self.mean) / self.scale
        z = np.clip(z, self.low, self.high)
        return np.hstack([z, stage_block(z, st.stage[idx], self.groups, self.centre)])

    def predict(self, frame: Frame, st: State, idx: np.ndarray) -> np.ndarray:
        """P(won) for deals ``idx`` open at ``st.t`` (the frame must be cut at ``st.t``)."""
        idx = np.asarray(idx, dtype=np.int64)
        prior = stage_prior(frame, st, idx, self.timing)
        if self.coef is None or not len(idx):
            return prior
        z = self.design(frame, st, idx, prior) @ self.coef + self.intercept + self.shift
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        w = self.weights(st, idx)
        return np.clip(w * p + (1 - w) * prior, 0.0, 1.0)

    def stage_prior(self, frame: Frame, st: State, idx: np.ndarray) -> np.ndarray:
        return stage_prior(frame, st, np.asarray(idx, dtype=np.int64), self.timing)

    def top_factors(
        self, frame: Frame, st: State, idx: np.ndarray, k: int = 3
    ) -> list[list[tuple[str, float]]]:
        """Per deal: the k features that move its log-odds most (name, contribution)."""
        idx = np.asarray(idx, dtype=np.int64)
        if self.coef is None or not len(idx):
            return [[] for _ in idx]
        prior = stage_prior(frame, st, idx, self.timing)
        contrib = self.design(frame, st, idx, prior) * self.coef
        contrib *= self.weights(st, idx)[:, None]
        # columns of one name (the one-hot stages, a trait and its stage deviations) are
        # reported as one factor
        names, group = np.unique(np.array(self.names, dtype=object), return_inverse=True)
        summed = np.zeros((len(idx), len(names)))
        for j in range(len(names)):
            summed[:, j] = contrib[:, group == j].sum(axis=1)
        contrib = summed
        order = np.argsort(-np.abs(contrib), axis=1)[:, :k]
        return [
            [(str(names[j]), float(contrib[r, j])) for j in order[r] if contrib[r, j] != 0]
            for r in range(len(idx))
        ]


def snapshot_dates(frame: Frame, horizon: float, follow_from: float = -np.inf) -> np.ndarray:
    """Past cut dates for training rows: weekly or sparser, from the first deal to
    ``t - horizon``, less those before the first move out of an open stage
    (``follow_from``).

    Before the first move the history cannot hold the deals that left then: an export
    that lists only the deals closed from some date on (and the open ones) leaves out every
    quick deal of its early months, so the deals it shows open at an early date are the
    slow ones and those that never closed. Rows from such dates would teach the model that
    deals open at a stage's usual age seldom win (measured on a flat export: 0.25 said
    where 0.45 was won)."""
    t = frame.t
    if not frame.exists.any():
        return np.zeros(0)
    first = float(frame.created[frame.exists].min())
    last = t - horizon
    if last <= first:
        return np.zeros(0)
    span = min(last - first, 730.0)
    step = max(7.0, span / MAX_SNAPSHOTS)
    k = int(span // step) + 1
    dates = last - step * np.arange(k)
    return dates[dates >= follow_from]


def fit_probability(
    frame: Frame, timing: TimingModel, st: State | None = None, seed: int = 0
) -> ProbabilityModel:
    """Fit on a cut frame: only facts known at ``frame.t`` are used."""
    st = st if st is not None else state(frame)
    enc = fit_encoders(frame, st)
    horizon = win_horizon(frame, st)
    names = tuple(feature_names(frame))
    xs, ys, deals, when, stages = [], [], [], [], []
    # the outcome as known at t; a deal still open then counts with its chance from there
    outcome = (st.exists & (st.kind == WON)).astype(float)
    still_open = np.flatnonzero(st.open)
    if len(still_open):
        outcome[still_open] = stage_prior(frame, st, still_open, timing)
    for s in snapshot_dates(frame, horizon, timing.follow_from):
        cut = as_of(frame, s)
        ss = state(cut)
        idx = np.flatnonzero(ss.open)
        if not len(idx):
            continue
        prior = stage_prior(cut, ss, idx, timing)
        xs.append(feature_matrix(cut, ss, idx, enc, prior, folds=True))
        ys.append(outcome[idx])
        deals.append(idx)
        when.append(np.full(len(idx), s))
        stages.append(ss.stage[idx])
    empty = ProbabilityModel(enc, timing, None, None, None, 0.0, 0.0, horizon, 0, 0, names)
    if not xs:
        return empty
    x = np.vstack(xs)
    y = np.concatenate(ys)
    d = np.concatenate(deals)
    w = np.concatenate(when)
    sg = np.concatenate(stages)
    if len(y) > MAX_ROWS:
        keep = np.random.default_rng(seed).choice(len(y), MAX_ROWS, replace=False)
        x, y, d, w, sg = x[keep], y[keep], d[keep], w[keep], sg[keep]
    if y.sum() < MIN_CLASS_ROWS or (1.0 - y).sum() < MIN_CLASS_ROWS:
        return empty
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    z = (x - mean) / scale
    low, high = z.min(axis=0), z.max(axis=0)
    # training deals per stage (a deal open at several snapshots counts once)
    per_stage = np.zeros(frame.n_stages)
    np.add.at(per_stage, np.unique(np.c_[sg, d], axis=0)[:, 0], 1.0)
    groups = stage_groups(sg, y, per_stage)
    centre = np.array([z[sg == g][:, STAGE_WISE_COLS].mean(axis=0) for g in groups])
    centre = centre.reshape(len(groups), len(STAGE_WISE))
    xs_all = np.hstack([z, stage_block(z, sg, groups, centre)])
    del z
    names = names + STAGE_WISE * len(groups)
    c = choose_penalty(xs_all, y, d, seed)
    coef, intercept = _fit_logistic(xs_all, y, c)
    shift = recent_shift(xs_all, y, w, horizon, seed, deal=d, c=c, start=(coef, intercept))
    n_deals = len(np.unique(d))
    return ProbabilityModel(
        encoders=enc,
        timing=timing,
        mean=mean,
        scale=scale,
        coef=coef,
        intercept=intercept,
        weight=n_deals / (n_deals + MODEL_PRIOR_DEALS),
        horizon=horizon,
        n_rows=len(y),
        n_deals=n_deals,
        names=names,
        shift=shift,
        penalty=c,
        groups=groups,
        centre=centre,
        stage_weight=per_stage / (per_stage + MODEL_PRIOR_DEALS),
        low=low,
        high=high,
    )


def stage_groups(stage: np.ndarray, y: np.ndarray, per_stage: np.ndarray) -> np.ndarray:
    """The open stages whose training rows come from at least MIN_STAGE_DEALS deals
    (``per_stage``), with both outcomes among them: each gets its own deviations of the
    STAGE_WISE columns."""
    big = np.flatnonzero(per_stage >= MIN_STAGE_DEALS)
    return np.array([g for g in big if _enough(y[stage == g])], dtype=np.int64)


def choose_penalty(x: np.ndarray, y: np.ndarray, deal: np.ndarray, seed: int = 0) -> float:
    """The L2 penalty that predicts held-out deals best (log loss, CV_FOLDS folds of deals).

    A young history gives a few hundred rows from a few dozen deals for some thirty
    columns: at the default penalty the model then reads noise as signal and pushes deals
    far from their stage's rate (measured: one month of closed deals, final-stage deals
    said 0.88, 0.60 won). A long history picks the weakest penalty and changes nothing.
    Folds split deals, not rows, since a deal open at several snapshots gives several
    rows. At most CV_ROWS rows (whole deals, drawn with ``seed``) are used. Past CV_DEALS
    deals the data outweighs any of these penalties (the 315k-deal synthetic history picks
    the weakest at 77,000 and 106,000 deals) and the search would add ~7 s to each fit.
    """
    folds = _cv_folds(y, deal, seed)
    if folds is None:
        return L2_C
    sel, fold = folds
    x, y = x[sel], y[sel]
    best, best_loss = L2_C, np.inf
    starts: list = [None] * CV_FOLDS
    for c in PENALTIES:
        loss = _cv_loss(x, y, fold, c, starts)
        if loss is None:
            return L2_C
        if loss < best_loss:
            best, best_loss = c, loss
    return best


def _cv_folds(y: np.ndarray, deal: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Rows (a mask) and their fold for the penalty searches: whole deals, at most about
    CV_ROWS rows drawn with ``seed``; None past CV_DEALS deals (no search)."""
    deals = np.unique(deal)
    if len(deals) > CV_DEALS:
        return None
    sel = np.ones(len(y), dtype=bool)
    if len(y) > CV_ROWS:
        rng = np.random.default_rng([seed, 2])
        share = CV_ROWS / len(y)
        keep = rng.choice(deals, max(int(len(deals) * share), CV_FOLDS), replace=False)
        sel = np.isin(deal, keep)
        deals = np.unique(deal[sel])
    return sel, np.searchsorted(deals, deal[sel]) % CV_FOLDS


def _cv_loss(
    x: np.ndarray, y: np.ndarray, fold: np.ndarray, c: float, starts: list
) -> float | None:
    """Held-out soft-label log loss summed over the folds; None when a fold's training
    rows lack either outcome. Each fold's fit starts from ``starts[fold]`` (its fit at the
    previous penalty) and leaves its own there."""
    loss = 0.0
    for f in range(CV_FOLDS):
        train, test = fold != f, fold == f
        if not _enough(y[train]) or not test.any():
            return None
        coef, intercept = starts[f] = _fit_logistic(x[train], y[train], c, starts[f])
        z = x[test] @ coef + intercept
        loss += float((np.logaddexp(0.0, z) - y[test] * z).sum())
    return loss


def _fit_logistic(
    x: np.ndarray, y: np.ndarray, c: float = L2_C, start: tuple[np.ndarray, float] | None = None
) -> tuple[np.ndarray, float]:
    """L2-penalised logistic regression on soft labels, by Newton steps (Cholesky): rows
    far outnumber columns, and a few steps converge where L-BFGS took hundreds of
    iterations on nearly collinear columns (a trait and its deviation in a stage, in
    a history whose deals sit in few stages). ``start`` (coefficients, intercept) begins
    there instead of at zero: the replays of ``recent_shift`` start from the live fit,
    close to theirs. The problem is strictly convex, so the start changes the time taken,
    not the result."""
    xz, yz, wz = soft_rows(x, y)
    clf = LogisticRegression(
        C=c, max_iter=300, solver="newton-cholesky", warm_start=start is not None
    )
    if start is not None:
        clf.coef_ = start[0].reshape(1, -1).copy()
        clf.intercept_ = np.array([start[1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(xz, yz, sample_weight=wz)
    return clf.coef_[0].copy(), float(clf.intercept_[0])


def _enough(y: np.ndarray) -> bool:
    return y.sum() >= MIN_CLASS_ROWS and (1.0 - y).sum() >= MIN_CLASS_ROWS


def recent_shift(
    x: np.ndarray,
    y: np.ndarray,
    when: np.ndarray,
    horizon: float,
    seed: int,
    deal: np.ndarray | None = None,
    c: float = L2_C,
    start: tuple[np.ndarray, float] | None = None,
) -> float:
    """The log-odds shift that a model fitted as the live one is (on snapshots up to H days
    before its cut) needed on the deals open at that cut, measured out of time.

    For each of the latest SHIFT_ORIGINS snapshot dates u, a model is fitted on the rows
    dated u - H or earlier and scores the deals open at u (labels as known at ``t``). The
    shift a maximises their likelihood, with a normal prior at 0 worth MODEL_PRIOR_DEALS
    rows, so a thin or noisy replay leaves the model as it is. It corrects drift (the
    business converting better or worse than the history the model learned from) without
    bending the model's ranking; a slope or a step function fitted on these few hundred
    correlated rows moved the figures more by noise than it corrected (measured).

    The replayed fits are themselves estimates: fitted on n deals with k varying columns,
    their log-odds on other deals are off by about k / (n p (1 - p)) (variance) on their own,
    a common error the replayed rows cannot average away. That variance is added to the
    measurement's, so a shift read against replays fitted on a few hundred early deals (a
    young history) is shrunk towards 0 in proportion, and one read against replays on
    thousands is kept.
    """
    rng = np.random.default_rng(seed)
    zs, qs, ds, v_fit = [], [], [], []
    for u in np.unique(when)[::-1]:
        if len(zs) >= SHIFT_ORIGINS:
            break
        train = np.flatnonzero(when <= u - horizon)
        if not _enough(y[train]):
            continue
        n_fit = len(np.unique(deal[train])) if deal is not None else len(train)
        rate = float(np.clip(y[train].mean(), 0.05, 0.95))
        if len(train) > SHIFT_ROWS:
            train = rng.choice(train, SHIFT_ROWS, replace=False)
        k_fit = int((x[train].std(axis=0) > 1e-9).sum()) + 1  # varying columns + intercept
        v_fit.append(k_fit / (n_fit * rate * (1.0 - rate)))
        coef, intercept = _fit_logistic(x[train], y[train], c, start)
        test = when == u
        zs.append(x[test] @ coef + intercept)
        qs.append(y[test])
        ds.append(deal[test] if deal is not None else np.flatnonzero(test))
    if not zs:
        return 0.0
    z, q = np.concatenate(zs), np.concatenate(qs)
    # a deal open at several of the replayed dates is one piece of evidence, not several
    _, inv, counts = np.unique(np.concatenate(ds), return_inverse=True, return_counts=True)
    wt = 1.0 / counts[inv]
    lam = 0.25 * MODEL_PRIOR_DEALS  # the curvature of MODEL_PRIOR_DEALS rows at p = 0.5
    a = 0.0
    info = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z + a, -30, 30)))
        info = float((wt * p * (1 - p)).sum())
        step = ((wt * (p - q)).sum() + lam * a) / (info + lam)
        a -= step
        if abs(step) < 1e-9:
            break
    # a = a_data * prior / (prior + v_data); with the replays' own error v_fit on top:
    v_prior, v_data = 1.0 / lam, 1.0 / max(info, 1e-12)
    return float(a * (v_prior + v_data) / (v_prior + v_data + float(np.mean(v_fit))))


def soft_rows(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows with a label strictly between 0 and 1 become two weighted rows (label 1 with
    weight y, label 0 with weight 1 - y): the same log-likelihood as the soft label."""
    soft = (y > 0.0) & (y < 1.0)
    if not soft.any():
        return x, y >= 1.0, np.ones(len(y))
    hard = ~soft
    xs = np.vstack([x[hard], x[soft], x[soft]])
    ys = np.r_[y[hard] >= 1.0, np.ones(soft.sum(), dtype=bool), np.zeros(soft.sum(), dtype=bool)]
    ws = np.r_[np.ones(hard.sum()), y[soft], 1.0 - y[soft]]
    return xs, ys, ws


def open_indices(st: State) -> np.ndarray:
    return np.flatnonzero(st.exists & (st.kind == OPEN))
