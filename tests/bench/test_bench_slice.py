"""A small slice of the public benchmarks, so the converters, the baseline and the driver keep working.

The data lives outside the repository: `$QA_BENCH_DATA`, by default `<repo>/../shared/bench`.
Without it these tests skip locally and fail on CI (CI=true), where it must be present.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench import convert_realtimeqa, convert_squad, quality
from evaluation.metrics import answer_matches, normalize_space
from tests.bench.conftest import REPO


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_squad_slice_has_articles_questions_and_evidence(bench_data: Path, tmp_path: Path) -> None:
    corpus, questions = convert_squad.convert(
        bench_data / "squad" / "dev-v1.1.json", tmp_path, sample=20, seed=1, articles=2
    )
    articles = {a["id"]: a for a in read_jsonl(corpus / "squad.jsonl")}
    items = read_jsonl(questions)
    assert list(articles) == ["super-bowl-50", "warsaw"]
    assert articles["warsaw"]["title"] == "Warsaw"
    assert len(items) == 20 and len({i["id"] for i in items}) == 20
    for item in items:
        assert not item["unanswerable"]
        (evidence,) = item["evidence"]
        assert normalize_space(evidence) in normalize_space(articles[item["article_id"]]["text"])
        assert answer_matches(evidence, item["answers"][:1])


def test_squad_sample_is_deterministic(bench_data: Path, tmp_path: Path) -> None:
    squad = bench_data / "squad" / "dev-v1.1.json"
    _, first = convert_squad.convert(squad, tmp_path / "a", sample=10, seed=7, articles=2)
    _, second = convert_squad.convert(squad, tmp_path / "b", sample=10, seed=7, articles=2)
    _, other = convert_squad.convert(squad, tmp_path / "c", sample=10, seed=8, articles=2)
    assert first.read_bytes() == second.read_bytes() != other.read_bytes()


def test_squad_v2_unanswerable_questions_become_unanswerable_items(bench_data: Path, tmp_path: Path) -> None:
    _, questions = convert_squad.convert(bench_data / "squad" / "dev-v2.0.json", tmp_path, articles=1)
    items = read_jsonl(questions)
    unanswerable = [i for i in items if i["unanswerable"]]
    assert unanswerable and len(unanswerable) < len(items)
    assert all(i["answers"] == [] and i["evidence"] == [] for i in unanswerable)


def test_realtimeqa_slice_uses_the_correct_choice_and_clean_evidence(bench_data: Path, tmp_path: Path) -> None:
    corpus, questions = convert_realtimeqa.convert(
        bench_data / "realtimeqa" / "realtimeqa-questions-2020-2026.jsonl.gz",
        tmp_path,
        sample=15,
        seed=3,
        corpus="sampled",
    )
    articles = {a["id"]: a for a in read_jsonl(corpus / "realtimeqa.jsonl")}
    items = read_jsonl(questions)
    assert len(items) == 15
    for item in items:
        assert item["answers"][0] in item["choices"]
        assert item["evidence"] == [articles[item["article_id"]]["text"]]
        assert not re.search(r"<[^>]+>", item["evidence"][0])
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", a["date"]) for a in articles.values())


def test_quality_driver_runs_qa_eval_on_every_set_and_renders_the_table(bench_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    sets = {
        "squad_heldout": convert_squad.convert(
            bench_data / "squad" / "dev-v1.1.json", data / "s1", sample=8, articles=2
        ),
        "squad2_report": convert_squad.convert(
            bench_data / "squad" / "dev-v2.0.json", data / "s2", sample=8, articles=1
        ),
        "realtimeqa": convert_realtimeqa.convert(
            bench_data / "realtimeqa" / "realtimeqa-questions-2020-2026.jsonl.gz", data / "rt", sample=6, seed=1
        ),
        "sample": (REPO / "data" / "articles", REPO / "eval" / "questions.jsonl"),
    }
    records = quality.run_system("reader", REPO, sets, tmp_path)
    assert {k: len(v) for k, v in records.items() if k != "sample"} == {
        "squad_heldout": 8,
        "squad2_report": 8,
        "realtimeqa": 6,
    }
    assert all("correct" in r["scores"] for recs in records.values() for r in recs)
    results = quality.summarize(records)
    for key, value in results.items():
        assert value is None or value >= 0, key
    assert 0 <= results["squad_hit1"] <= results["squad_hit5"] <= 1
    table = quality.render({"previous": results, "reader": results}, {k: len(v) for k, v in records.items()}, "HEAD")
    assert "| same: hit@5 |" in table and "n/a" not in table.split("hit@5")[1].splitlines()[0]
    quality.draw({"previous": records, "reader": records}, tmp_path / "abstention.png")
    assert (tmp_path / "abstention.png").stat().st_size > 1000
