"""Fit the support judge: LoRA on the bundled all-MiniLM-L6-v2 plus a one-logit head, on the fitting data only.

Claims are made (`bench.claims`, the generator the verification benchmark uses) from the 25
SQuAD v2.0 fitting articles, each paired with the span of its paragraph it would be checked
against: true ones (the answer's clause, the question as a statement, each reworded) and false
ones (a number or date changed, another name from elsewhere or from the same paragraph, two
names swapped, a negation, a span of another paragraph or another sentence, and an
unanswerable question's plausible answer). RealTime QA quizzes before 2024 add the question
with its correct choice (true) and with a wrong one (false) against the evidence. The reader's
held-out fold (three articles, one quiz week in ten) is held out here too: the calibration (a
scale and shift on the logit) and the threshold are fitted on it. Reproducible (fixed seed);
prints what it trained on; checkpoints and resumes like the reader's fit.

    python -m bench.fit_judge --squad2 dev-v2.0.json --realtimeqa realtimeqa.jsonl.gz --out runs/fit-judge
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench import claims
from bench.fit_reader import SEED, Trainer, held_out, quiz_week, train, write
from bench.splits import REALTIMEQA_REPORT_SINCE, SQUAD2_FIT
from index.analysis import content_words, sentence_spans
from qa.reader import artifact
from qa.reader.judge import SHIPPED, inputs
from qa.reader.windows import batch, windows

TRUE_KINDS = ("true_clause", "true_statement", "reordered", "synonym", "passive", "realtimeqa_correct")
NEIGHBOUR_SHARE = 0.5  # true claims also paired with another sentence of their paragraph (false)
UNANSWERABLE_SHARE = 0.4  # unanswerable questions whose plausible answer makes a false claim
WIDER_SHARE = 0.3  # spans grown by a neighbouring sentence, as the verifier's spans of two or three sentences are


@dataclass(frozen=True)
class Pair:
    """A claim and the span it is checked against; label 1 when the span says it."""

    claim: str
    span: str
    label: int
    kind: str
    group: str  # article or quiz week: the fold is split by it


def around(context: str, at: int, rng: random.Random) -> str:
    """The sentence of `context` holding character `at`, sometimes with the sentence before or after it."""
    spans = sentence_spans(context) or [(0, len(context))]
    i = next((k for k, (a, b) in enumerate(spans) if a <= at < b), len(spans) - 1)
    first, last = i, i
    if rng.random() < WIDER_SHARE:
        first, last = (max(0, i - 1), i) if rng.random() < 0.5 else (i, min(len(spans) - 1, i + 1))
    return context[spans[first][0] : spans[last][1]].strip()


def closest_sentence(text: str, claim: str, avoid: str = "") -> str | None:
    """The sentence of `text` sharing most content words with `claim` (not inside `avoid`)."""
    wanted = set(content_words(claim))
    best, shared = None, 0
    for a, b in sentence_spans(text):
        sentence = text[a:b].strip()
        overlap = len(wanted & set(content_words(sentence)))
        if overlap > shared and sentence not in avoid:
            best, shared = sentence, overlap
    return best


def squad_pairs(path: Path, rng: random.Random) -> list[Pair]:
    data = [a for a in json.loads(path.read_text(encoding="utf-8"))["data"] if a["title"] in SQUAD2_FIT]
    pool = [
        (a["title"], qa["answers"][0]["text"])
        for a in data for p in a["paragraphs"] for qa in p["qas"]
        if qa.get("answers") and claims.is_name(qa["answers"][0]["text"]) and len(qa["answers"][0]["text"]) < 40
    ]  # fmt: skip
    out: list[Pair] = []
    for article in data:
        title, paragraphs = article["title"], [p["context"] for p in article["paragraphs"]]
        for index, paragraph in enumerate(article["paragraphs"]):
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                out += question_pairs(title, paragraphs, index, context, qa, pool, rng)
    return out


def question_pairs(title, paragraphs, index, context, qa, pool, rng) -> list[Pair]:
    made: list[Pair] = []

    def add(kind: str, claim: str | None, span: str, label: int) -> None:
        if claim and span:
            made.append(Pair(claim, span, label, kind, title))

    if qa.get("is_impossible"):
        for gold in qa.get("plausible_answers", [])[: rng.random() < UNANSWERABLE_SHARE]:
            span = around(context, gold["answer_start"], rng)
            add("unanswerable", claims.statement(qa["question"], gold["text"]), span, 0)
        return made
    gold = qa["answers"][0]
    answer, start = gold["text"], gold["answer_start"]
    true = claims.clause(context, start, start + len(answer))
    if true is None or answer not in true:
        return made
    span = around(context, start, rng)
    stated = claims.statement(qa["question"], answer)
    either = rng.choice([true, stated])
    add("true_clause", true, span, 1)
    add("true_statement", stated, span, 1)
    add("reordered", claims.reorder(true) or claims.reorder(stated), span, 1)
    add("synonym", claims.synonyms(either, rng), span, 1)
    add("passive", claims.passive(stated, answer), span, 1)
    add("number_changed", claims.change_number(either, rng), span, 0)
    add("date_changed", claims.change_date(either, rng), span, 0)
    add("negated", claims.negate(either), span, 0)
    add("names_swapped", claims.swap_names(either), span, 0)
    if claims.is_name(answer):
        foreign = [n for t, n in pool if t != title and n.lower() not in context.lower()]
        add("foreign_name", claims.swap(either, answer, rng.choice(foreign)) if foreign else None, span, 0)
        for claim in (true, stated):
            local = claims.local_names(context, answer, claim)
            add("same_paragraph_name", claims.swap(claim, answer, rng.choice(local)) if local else None, span, 0)
    others = [p for j, p in enumerate(paragraphs) if j != index]
    if others:
        add("wrong_paragraph", either, closest_sentence(rng.choice(others), either) or "", 0)
    if rng.random() < NEIGHBOUR_SHARE:
        add("other_sentence", either, closest_sentence(context, either, avoid=span) or "", 0)
    return made


def realtimeqa_pairs(path: Path, rng: random.Random) -> list[Pair]:
    """Quizzes before 2024: the question with its correct choice (true) and a wrong one (false), against the
    evidence around the correct choice."""
    out = []
    for quiz in claims.realtimeqa_claims(path, until=REALTIMEQA_REPORT_SINCE):
        span, week = around(quiz["evidence"], quiz["at"], rng), quiz_week(quiz["date"])
        wrong = rng.choice(quiz["false"] or [""])
        out.append(Pair(quiz["true"], span, 1, "realtimeqa_correct", week))
        if wrong:
            out.append(Pair(wrong, span, 0, "realtimeqa_wrong", week))
    return out


def all_pairs(squad2: Path, realtimeqa: Path) -> tuple[list[Pair], list[Pair]]:
    """(fit, held-out fold), the fold being the reader's (whole articles and quiz weeks)."""
    rng = random.Random(SEED)
    pairs = list({(p.claim, p.span): p for p in squad_pairs(squad2, rng) + realtimeqa_pairs(realtimeqa, rng)}.values())
    fold = {e.group for e in held_out(squad2, realtimeqa)}
    return [p for p in pairs if p.group not in fold], [p for p in pairs if p.group in fold]


def step(trainer: Trainer, optimizer, scheduler, items: list) -> float:
    torch = trainer.torch
    logits = trainer.outputs(batch([w for w, _ in items]))[:, 0, 0]
    labels = torch.tensor([float(p.label) for _, p in items])
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
    return trainer.update(loss, optimizer, scheduler)


def logits_of(trainer: Trainer, tokenizer, pairs: list[Pair], size: int = 64) -> np.ndarray:
    out = []
    with trainer.torch.no_grad():
        for k in range(0, len(pairs), size):
            chunk = pairs[k : k + size]
            out.append(trainer.outputs(inputs(tokenizer, [(p.span, p.claim) for p in chunk]))[:, 0, 0].numpy())
    return np.concatenate(out) if out else np.zeros(0)


def calibrate(logits: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """A scale and shift on the logit (Platt scaling) fitted on the fold."""
    from sklearn.linear_model import LogisticRegression

    if len(set(labels.tolist())) < 2:
        return {"scale": 1.0, "shift": 0.0}
    fitted = LogisticRegression(C=1e4).fit(logits.reshape(-1, 1), labels)
    return {"scale": round(float(fitted.coef_[0, 0]), 5), "shift": round(float(fitted.intercept_[0]), 5)}


def by_kind(pairs: list[Pair], probabilities: np.ndarray, threshold: float) -> dict[str, dict]:
    """Per kind of claim: how many, and how often the judge gets it wrong (a true one refused, a false one
    accepted) at `threshold`."""
    rows: dict[str, list[bool]] = defaultdict(list)
    for p, prob in zip(pairs, probabilities, strict=True):
        rows[p.kind].append((prob >= threshold) != bool(p.label))
    return {k: {"n": len(v), "wrong": round(float(np.mean(v)), 4)} for k, v in sorted(rows.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad2", type=Path, required=True)
    parser.add_argument("--realtimeqa", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("runs/fit-judge"))
    parser.add_argument("--artifact", type=Path, default=SHIPPED, help="where to write the adapter")
    parser.add_argument("--epochs", type=float, default=1.5)
    parser.add_argument("--lr", type=float, default=6e-4)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--alpha", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pairs", type=int, default=0, help="fit on this many pairs, drawn at random (0 = all)")
    parser.add_argument("--fold-pairs", type=int, default=3000, help="held-out pairs scored after each epoch")
    parser.add_argument("--checkpoint-every", type=int, default=200)
    args = parser.parse_args(argv)

    base = artifact.base_dir()
    tokenizer = artifact.tokenizer(base)
    fit, fold = all_pairs(args.squad2, args.realtimeqa)
    rng = random.Random(SEED)
    if args.pairs:
        fit = rng.sample(fit, min(args.pairs, len(fit)))
    fold = rng.sample(fold, min(args.fold_pairs, len(fold)))
    items = [(windows(tokenizer, p.claim, p.span)[0], p) for p in fit]
    trained_on = {
        "squad2_articles": sorted({p.group for p in fit if not p.kind.startswith("realtimeqa")}),
        "realtimeqa_before": REALTIMEQA_REPORT_SINCE,
        "pairs": len(fit),
        "true": sum(p.label for p in fit),
        "kinds": dict(sorted(Counter(p.kind for p in fit).items())),
        "held_out_fold": sorted({p.group for p in fold}),
        "fold_pairs": len(fold),
    }
    print(json.dumps({"trained_on": trained_on}, indent=1), flush=True)

    trainer = Trainer(base, args.rank, args.alpha, args.threads, outputs=1)
    labels = np.array([p.label for p in fold])

    def evaluate() -> dict:
        logits = logits_of(trainer, tokenizer, fold)
        probabilities = 1 / (1 + np.exp(-logits))
        return {"accuracy": round(float(np.mean((probabilities >= 0.5) == labels)), 4), "pairs": len(fold)}

    began = time.time()
    history = train(trainer, items, step, args, evaluate, key=lambda item: item[0].length)
    trainer.encoder.eval()
    logits = logits_of(trainer, tokenizer, fold)
    calibration = calibrate(logits, labels)
    probabilities = 1 / (1 + np.exp(-(calibration["scale"] * logits + calibration["shift"])))
    threshold = 0.5
    figures = {
        "accuracy": round(float(np.mean((probabilities >= threshold) == labels)), 4),
        "by_kind": by_kind(fold, probabilities, threshold),
    }
    print(f"held-out fold, calibrated: {json.dumps(figures)}", flush=True)
    info = {
        "kind": "judge",
        "base_sha256": artifact.base_hash(base),
        "rank": args.rank,
        "alpha": args.alpha,
        "calibration": calibration,
        "threshold": threshold,
        "recipe": {"epochs": args.epochs, "lr": args.lr, "batch": args.batch, "seed": SEED, "pairs": args.pairs},
        "trained_on": trained_on,
        "held_out_fold": figures,
        "train_seconds": round(time.time() - began),
    }
    return write(args, trainer, info, history)


if __name__ == "__main__":
    raise SystemExit(main())
