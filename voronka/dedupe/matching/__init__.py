"""Pure duplicate-matching core: normalisation, keys, explainable scores, batch scan, check.

No Django here (import-linter enforces it). Callers build :class:`Record` objects (or store
the :class:`Keys` computed from them), then call :func:`score`, :func:`scan` or
:meth:`CheckIndex.candidates`.
"""

from voronka.dedupe.matching.check import Candidate, CheckIndex
from voronka.dedupe.matching.keys import Keys, Record, make_keys
from voronka.dedupe.matching.scan import ScanResult, scan, scan_keys
from voronka.dedupe.matching.score import MATCH, REVIEW, Score, score, score_keys

__all__ = [
    "MATCH",
    "REVIEW",
    "Candidate",
    "CheckIndex",
    "Keys",
    "Record",
    "ScanResult",
    "Score",
    "make_keys",
    "scan",
    "scan_keys",
    "score",
    "score_keys",
]
