"""Fit the resolver's feature weights and its confidence on the development corpora.

    python bench/fit.py [--corpus PATH ...] [--passes 2] [--out data/resolve-weights.json]

1. **Rows.** Each corpus article is parsed once (the parses are kept in ``bench/out/fit-cache``)
   and its gold toponyms are resolved as given spans, as ``bench/geoparse.py`` does for the
   gold-given score. Every candidate of every span becomes a row: its features
   (:mod:`geo.features`) and a label, right when it lies within 161 km of the gold point or
   carries the gold's GeoNames id. A span whose candidates are all wrong teaches nothing about
   ranking and is left out of the fit (it still counts as wrong in the scores).
2. **Ranker.** A conditional logit: each span's candidates get a softmax over their weighted
   feature sums, and the weights maximise the probability given to the right ones (scipy's
   L-BFGS-B from zero, an L2 penalty; deterministic, no seed involved). Each corpus weighs the
   same. A logistic regression on the rows one by one (scikit-learn's ``LogisticRegression``)
   was tried first: it ranks worse (about 0.7 points less in cross-validation on GeoWebNews and
   LGL), since it learns whether a candidate is right, not which of a span's is. A span's
   answer is its best-scored candidate.
3. **Generalisation.** The same fit cross-validated by document (5 folds, grouped so an
   article's spans stay together) and leaving one corpus out (fit on the others, test on it).
4. **Confidence.** A logistic model (scikit-learn's ``LogisticRegression``: Platt scaling with
   a few covariates) of whether a span's answer is right, on its
   :func:`geo.features.confidence_inputs`: the log-odds of its softmax share from the folds
   the ranker did not see, whether it was the lone candidate, whether it matched only an
   alternate name, and whether it is a division whose point is not GeoNames' own. An isotonic
   map of the share alone was used before: it gave 0.00 at its low end (a bare "Springfield"
   was "certainly wrong", which no ranking can know), it cannot tell a lone candidate (share
   1.0 whatever the gazetteer knows) from a clear winner, and its top step held 2.7% wrong
   answers, so the answers of confidence >= 0.9 were 96-97% right. The logistic model has no
   hard ends, and its covariates lift that to 97% or more on every corpus. Reported: among
   answers of confidence >= 0.9, the share right, and the expected calibration error over 10
   bins, per corpus (the model itself cross-fitted by document for the report).

The features that the context is built from depend on the weights (a name's clear first pick),
so ``--passes 2`` extracts the rows again with the first fit's weights and fits once more.
The weights file records the date, the commit, the corpora, their document counts and the
cross-validated scores. Article texts never leave ``../shared/corpus`` and ``bench/out``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as `python bench/fit.py`
    sys.path.insert(0, str(ROOT))

from bench import scoring  # noqa: E402
from bench.geoparse import git_commit, load_corpus  # noqa: E402
from geo.features import (  # noqa: E402
    CONFIDENCE_INPUTS,
    WEIGHTS_PATH,
    Weights,
    confidence_inputs,
    feature_names,
)
from geo.gazetteer import Candidate, Gazetteer  # noqa: E402
from geo.resolve import Resolver  # noqa: E402
from geo.story import Geoparser  # noqa: E402

CORPUS_DIR = ROOT.parent / "shared" / "corpus"
CORPORA = ("geowebnews.jsonl", "lgl-first70.jsonl", "tr-news-first70.jsonl")
CACHE_DIR = ROOT / "bench" / "out" / "fit-cache"
#: The L2 penalty on the weights: the fit is not sensitive to it (0.1 to 10 move
#: cross-validated accuracy by less than 0.3 points).
PENALTY = 1.0
FOLDS = 5
BINS = 10
#: The confidence above which the issue asks for at least 97% right.
CONFIDENT = 0.9
#: The inverse L2 penalty of the confidence model (scikit-learn's default): 1 and 10 give the
#: same calibration within 0.003 of ECE.
CONFIDENCE_C = 1.0


@dataclass
class Span:
    """One gold toponym given to the resolver: its candidates' feature rows and labels."""

    corpus: str
    doc: str
    rows: np.ndarray  # candidates x features
    labels: np.ndarray  # 1 = right
    population: np.ndarray  # ties go to the larger place, as in Resolver.rank
    #: The candidates themselves, for their confidence inputs.
    places: tuple[Candidate, ...] = ()
    #: For reading the errors: the mention and its candidates (never written to a file).
    name: str = ""
    candidates: tuple[str, ...] = ()


@dataclass
class Extracted:
    spans: list[Span]
    #: Per corpus: spans without any candidate (adjectives, fallbacks, unknown names) and how
    #: many of them were right, so the scores cover every gold span.
    others: dict[str, list[int]]
    #: Adjective answers: how many, how many right.
    adjectives: list[int]
    docs: dict[str, int]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Fit the resolver's weights and confidence.")
    parser.add_argument("--corpus", type=Path, action="append", metavar="PATH")
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    return parser.parse_args(argv)


def parsed(geoparser: Geoparser, path: Path, docs: Sequence[dict[str, Any]]) -> list[Any]:
    """The spaCy parses of ``docs``, from the cache when it holds them."""
    from spacy.tokens import DocBin

    cache = CACHE_DIR / f"{path.stem}.spacy"
    if cache.exists():
        found = list(DocBin().from_disk(cache).get_docs(geoparser.nlp.vocab))
        if [d.text for d in found] == [d["text"] for d in docs]:
            return found
    found = list(geoparser.nlp.pipe(d["text"] for d in docs))
    cache.parent.mkdir(parents=True, exist_ok=True)
    DocBin(store_user_data=True, docs=found).to_disk(cache)
    return found


def right(gold: scoring.GoldSpan, candidate: Any) -> bool:
    """Within 161 km of the gold point, or the gold's own GeoNames id."""
    if gold.geonameid is not None and candidate.geonameid == gold.geonameid:
        return True
    assert gold.point is not None
    return scoring.great_circle_km(*gold.point, candidate.lat, candidate.lon) < scoring.ACCURACY_KM


def extract(
    geoparser: Geoparser, corpora: Sequence[tuple[Path, list[dict[str, Any]], list[Any]]]
) -> Extracted:
    """Rows for every gold toponym with coordinates of every corpus."""
    names = feature_names()
    column = {name: i for i, name in enumerate(names)}
    spans: list[Span] = []
    others: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    adjectives = [0, 0]
    for path, docs, parses in corpora:
        for doc, parse in zip(docs, parses, strict=True):
            golds = [g for g in scoring.gold_spans(doc) if g.point is not None]
            results = geoparser.resolve_spans(doc["text"], [(g.start, g.end) for g in golds], parse)
            by_span = {(r.start, r.end): r for r in results}
            for gold in golds:
                result = by_span.get((gold.start, gold.end))
                if result is None or not result.ranked:
                    ok = result is not None and result.best is not None
                    ok = ok and right(gold, result.best.candidate)  # type: ignore[union-attr]
                    others[path.stem][0] += 1
                    others[path.stem][1] += ok
                    if (
                        result is not None
                        and result.best is not None
                        and _is_adjective(result.best)
                    ):
                        adjectives[0] += 1
                        adjectives[1] += ok
                    continue
                rows = np.zeros((len(result.ranked), len(names)))
                for i, scored in enumerate(result.ranked):
                    for name, value in scored.features:
                        rows[i, column[name]] = value
                spans.append(
                    Span(
                        path.stem,
                        f"{path.stem}:{doc['id']}",
                        rows,
                        np.array([right(gold, s.candidate) for s in result.ranked], dtype=int),
                        np.array([s.candidate.population for s in result.ranked]),
                        tuple(s.candidate for s in result.ranked),
                        gold.name,
                        tuple(_describe(s.candidate) for s in result.ranked),
                    )
                )
    return Extracted(spans, dict(others), adjectives, {p.stem: len(d) for p, d, _ in corpora})


def _describe(candidate: Any) -> str:
    return f"{candidate.name} ({candidate.kind} {candidate.country_code}-{candidate.admin1})"


def _is_adjective(best: Any) -> bool:
    return bool(best.reasons == ("named by its adjective",))


#: Features too rare in the development corpora to fit, each sharing the fitted weight of one
#: that says the same thing. An owner written before a name ("India's Punjab") states the place
#: it lies in as a state written after it does ("Springfield, Ill."); it occurs once in the
#: three corpora, so its own weight would be whatever the penalty leaves (0).
TIED = {"possessor_division": "division_written_after"}


def fit(spans: Sequence[Span]) -> np.ndarray:
    """The weights of a conditional logit on ``spans``, each feature of :data:`TIED` given
    the weight of its partner (their columns are summed for the fit)."""
    names = feature_names()
    merged = [_merge_tied(s, names) for s in spans]
    weights = _conditional_logit(merged)
    for feature, partner in TIED.items():
        weights[names.index(feature)] = weights[names.index(partner)]
    return weights


def _merge_tied(span: Span, names: list[str]) -> Span:
    rows = span.rows.copy()
    for feature, partner in TIED.items():
        rows[:, names.index(partner)] += rows[:, names.index(feature)]
        rows[:, names.index(feature)] = 0.0
    return replace(span, rows=rows)


def _conditional_logit(spans: Sequence[Span]) -> np.ndarray:
    """The weights of a conditional logit on ``spans``: a softmax over each span's candidates,
    fitted by L-BFGS to the probability of the right ones, with an L2 penalty of
    :data:`PENALTY`; each corpus weighs the same in total, so the largest does not decide."""
    useful = [s for s in spans if s.labels.any() and len(s.labels) > 1]
    per_corpus = Counter(s.corpus for s in useful)
    weight = np.array([len(useful) / (len(per_corpus) * per_corpus[s.corpus]) for s in useful])
    rows = np.vstack([s.rows for s in useful])
    right = np.concatenate([s.labels for s in useful]) > 0
    starts = np.cumsum([0] + [len(s.labels) for s in useful])[:-1]
    span_of = np.repeat(np.arange(len(useful)), [len(s.labels) for s in useful])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        scores = rows @ w
        scores = scores - np.maximum.reduceat(scores, starts)[span_of]
        exp = np.exp(scores)
        p = exp / np.add.reduceat(exp, starts)[span_of]
        p_right = np.add.reduceat(np.where(right, p, 0.0), starts)
        value = -(weight * np.log(p_right)).sum() + 0.5 * PENALTY * w @ w
        q = np.where(right, p, 0.0) / p_right[span_of]
        return value, rows.T @ ((p - q) * weight[span_of]) + PENALTY * w

    start = np.zeros(rows.shape[1])
    result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 5000})
    return np.asarray(result.x)


def answer(span: Span, weights: np.ndarray) -> tuple[bool, list[float]]:
    """Whether the best-scored candidate is right, and its confidence inputs."""
    scores = span.rows @ weights
    best = int(np.lexsort((-span.population, -scores))[0])
    share = 1.0 / float(np.exp(scores - scores[best]).sum())
    inputs = confidence_inputs(share, len(scores), span.places[best])
    return bool(span.labels[best]), [inputs[name] for name in CONFIDENCE_INPUTS]


def accuracy(
    extracted: Extracted, spans: Sequence[Span], outcomes: Sequence[bool]
) -> dict[str, float]:
    """Per corpus, the gold-given share right: ranked spans plus the spans without candidates."""
    right_by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for span, ok in zip(spans, outcomes, strict=True):
        right_by[span.corpus][0] += 1
        right_by[span.corpus][1] += ok
    return {
        corpus: round(
            100
            * (n_right + extracted.others.get(corpus, [0, 0])[1])
            / (n + extracted.others.get(corpus, [0, 0])[0]),
            2,
        )
        for corpus, (n, n_right) in sorted(right_by.items())
    }


@dataclass
class Answers:
    """Each span's answer from weights that did not see it: right or not, and its confidence
    inputs (in the order of :data:`geo.features.CONFIDENCE_INPUTS`)."""

    right: list[bool]
    inputs: list[list[float]]


def cross_validate(spans: Sequence[Span]) -> Answers:
    """Out-of-fold answers, folds grouped by document."""
    found = Answers([False] * len(spans), [[]] * len(spans))
    for train, test in GroupKFold(n_splits=FOLDS).split(spans, groups=[s.doc for s in spans]):
        weights = fit([spans[i] for i in train])
        for i in test:
            found.right[i], found.inputs[i] = answer(spans[i], weights)
    return found


def leave_one_corpus_out(extracted: Extracted) -> dict[str, float]:
    """Each corpus scored by weights fitted on the others."""
    result = {}
    for corpus in sorted({s.corpus for s in extracted.spans}):
        weights = fit([s for s in extracted.spans if s.corpus != corpus])
        held = [s for s in extracted.spans if s.corpus == corpus]
        result.update(accuracy(extracted, held, [answer(s, weights)[0] for s in held]))
    return result


def calibrate(answers: Answers, picked: Sequence[int]) -> LogisticRegression:
    """The confidence model: a logistic regression of right on the confidence inputs of the
    ``picked`` answers (lbfgs, deterministic)."""
    model = LogisticRegression(C=CONFIDENCE_C, max_iter=1000)
    model.fit(
        np.array([answers.inputs[i] for i in picked]),
        np.array([answers.right[i] for i in picked], dtype=int),
    )
    return model


def calibration_report(spans: Sequence[Span], answers: Answers) -> dict[str, dict[str, float]]:
    """Per corpus: among confidences >= 0.9 the share right and how many, the ECE, and the
    lowest confidence; the model is cross-fitted by document so no answer is judged by a model
    that saw it."""
    confidence = [0.0] * len(spans)
    for train, test in GroupKFold(n_splits=FOLDS).split(spans, groups=[s.doc for s in spans]):
        model = calibrate(answers, train)
        predicted = model.predict_proba(np.array([answers.inputs[i] for i in test]))[:, 1]
        for i, p in zip(test, predicted, strict=True):
            confidence[i] = float(p)
    report = {}
    for corpus in [*sorted({s.corpus for s in spans}), "all"]:
        picked = [i for i, s in enumerate(spans) if corpus in ("all", s.corpus)]
        sure = [i for i in picked if confidence[i] >= CONFIDENT]
        right = [answers.right[i] for i in picked]
        report[corpus] = {
            "confident_share": round(len(sure) / len(picked), 3),
            "confident_right": round(sum(answers.right[i] for i in sure) / len(sure), 4)
            if sure
            else math.nan,
            "ece": round(ece([confidence[i] for i in picked], right), 4),
            "lowest": round(min(confidence[i] for i in picked), 3),
        }
    return report


def ece(confidence: Sequence[float], outcomes: Sequence[bool]) -> float:
    """Expected calibration error: |accuracy - confidence| per bin, weighted by bin size."""
    bins: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(confidence):
        bins[min(int(p * BINS), BINS - 1)].append(i)
    total = 0.0
    for members in bins.values():
        accuracy_ = sum(outcomes[i] for i in members) / len(members)
        mean = sum(confidence[i] for i in members) / len(members)
        total += len(members) * abs(accuracy_ - mean)
    return total / len(confidence)


def coefficients(model: LogisticRegression) -> dict[str, float]:
    """The confidence model as the weights file keeps it: its intercept and a coefficient per
    input, by name."""
    found = {"intercept": round(float(model.intercept_[0]), 4)}
    for name, value in zip(CONFIDENCE_INPUTS, model.coef_[0], strict=True):
        found[name] = round(float(value), 4)
    return found


def write(
    path: Path,
    weights: np.ndarray,
    extracted: Extracted,
    confidence: dict[str, float],
    scores: dict[str, Any],
) -> None:
    names = feature_names()
    n_adjectives, adjectives_right = extracted.adjectives
    record = {
        "provenance": {
            "fitted by": "bench/fit.py: a conditional logit (softmax over each span's "
            f"candidates; scipy L-BFGS-B, L2 penalty {PENALTY}, corpora weighed equally); "
            "confidence: scikit-learn LogisticRegression (C "
            f"{CONFIDENCE_C}) on the out-of-fold answers' confidence inputs",
            "date": datetime.date.today().isoformat(),
            "commit": git_commit(),
            "corpora": extracted.docs,
            "spans ranked": len(extracted.spans),
            **scores,
        },
        "weights": {name: round(float(w), 4) for name, w in zip(names, weights, strict=True)},
        "confidence": confidence,
        "adjective_confidence": round(adjectives_right / n_adjectives, 3) if n_adjectives else 1.0,
    }
    text = json.dumps(record, indent=1, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    paths = args.corpus or [CORPUS_DIR / name for name in CORPORA]
    gazetteer = Gazetteer.open()
    geoparser = Geoparser(gazetteer=gazetteer)
    corpora = []
    for path in paths:
        docs = load_corpus(path, None)
        corpora.append((path, docs, parsed(geoparser, path, docs)))
    for number in range(1, args.passes + 1):
        geoparser.resolver = Resolver(gazetteer, Weights.read(args.out))
        extracted = extract(geoparser, corpora)
        before = accuracy(
            extracted,
            extracted.spans,
            [answer(s, _current(args.out))[0] for s in extracted.spans],
        )
        answers = cross_validate(extracted.spans)
        scores = {
            "gold-given Acc@161 with the weights read (in-sample)": before,
            "gold-given Acc@161, 5-fold CV by document": accuracy(
                extracted, extracted.spans, answers.right
            ),
            "gold-given Acc@161, leaving each corpus out": leave_one_corpus_out(extracted),
            "calibration, CV by document": calibration_report(extracted.spans, answers),
        }
        weights = fit(extracted.spans)
        model = calibrate(answers, range(len(extracted.spans)))
        write(args.out, weights, extracted, coefficients(model), scores)
        print(f"pass {number}:", json.dumps(scores, indent=1))
    print(f"weights written to {args.out}")
    return 0


def _current(path: Path) -> np.ndarray:
    weights = Weights.read(path).weights
    return np.array([weights.get(name, 0.0) for name in feature_names()])


if __name__ == "__main__":
    sys.exit(main())
