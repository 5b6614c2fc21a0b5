"""`evaluation.runner`: question files, report groups, the run folder, comparing runs."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

from evaluation.report import render_summary
from evaluation.runner import (
    REPORT_FILE,
    Item,
    compare,
    default_out_dir,
    load_questions,
    load_run,
    prepare_assistant,
    run,
)
from qa import Answer, Citation, QAError, Settings
from qa.errors import NoIndexError
from qa.types import Passage

PARAGRAPH = "On 24 July, ISIS fighters attacked the Uqaylah police station, killing one policeman."
OTHER = "On 30 July, Italy's Prime Minister met the US President at the White House."


def write_questions(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# --- question files ----------------------------------------------------------------


def test_load_questions_reads_every_field(tmp_path: Path) -> None:
    path = write_questions(
        tmp_path / "q.jsonl",
        [
            {
                "id": "q1",
                "question": "Who attacked it?",
                "history": ["What happened in Uqaylah?"],
                "answers": ["ISIS"],
                "evidence": [PARAGRAPH],
                "tags": ["variant"],
            },
            {"id": "q2", "question": "Who won the 2030 cup?", "unanswerable": True},
        ],
    )
    first, second = load_questions(path)
    assert first == Item(
        id="q1",
        question="Who attacked it?",
        history=["What happened in Uqaylah?"],
        answers=("ISIS",),
        evidence=(PARAGRAPH,),
        tags=("variant",),
    )
    assert second.unanswerable and second.answers == () and second.history is None


def test_load_questions_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "q1", "question": "Who?"}\n\n{"question": "no id"}\n', encoding="utf-8")
    with pytest.raises(QAError, match=r"q\.jsonl:3"):
        load_questions(path)


def test_load_questions_rejects_duplicate_ids(tmp_path: Path) -> None:
    path = write_questions(tmp_path / "q.jsonl", [{"id": "a", "question": "x"}, {"id": "a", "question": "y"}])
    with pytest.raises(QAError, match="duplicate id 'a'"):
        load_questions(path)


def test_groups_follow_the_documented_rule() -> None:
    item = Item(
        id="q7",
        question="Who led it?",
        history=["What is the LNA?"],
        unanswerable=True,
        tags=("name variant",),
    )
    assert item.groups("who") == ["who", "follow-up", "name variant", "unanswerable"]
    assert Item(id="name-variant-3", question="When?").groups("when") == ["when", "name variant"]
    assert Item(id="q8", question="Who?", type="when", tags=("Libya",)).groups("who") == ["when", "libya"]
    assert Item(id="q9", question="Who?").groups() == ["unknown"]  # it failed: no type known


# --- running -------------------------------------------------------------------------


class ScriptedAssistant:
    """Stands in for `qa.Assistant`: answers from a table and raises where told to."""

    def __init__(self, answers: dict[str, Answer | Exception], index_dir: Path) -> None:
        self.answers = answers
        self.settings = Settings().replace(index_dir=index_dir)
        self.asked: list[tuple[str, object]] = []

    def status(self) -> dict:
        return {"articles": 1, "chunks": 2, "index": str(self.settings.index.dir), "model": "scripted"}

    def ask(self, question, history=None, *, top_k=None, mode=None, since=None, until=None) -> Answer:
        self.asked.append((question, history))
        answer = self.answers[question]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_the_scripted_assistant_takes_what_the_real_one_takes() -> None:
    """The runner calls `ask` as it would call `qa.Assistant.ask`: a change there must show here."""
    from qa.api import Assistant

    shape = lambda f: [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]  # noqa: E731
    assert shape(ScriptedAssistant.ask) == shape(Assistant.ask)


def passage(text: str, paragraph: int) -> Passage:
    return Passage(
        chunk_id=f"a1:{paragraph}", article_id="a1", title="Libya update", source="libya.txt",
        paragraph=paragraph, start=0, end=len(text), text=text, score=1.0 / (paragraph + 1),
    )  # fmt: skip


def citation(n: int, text: str) -> Citation:
    return Citation(
        n=n, article_id="a1", title="Libya update", source="libya.txt", paragraph=0,
        quote=text[:20], start=0, end=20, score=1.0, paragraph_text=text,
    )  # fmt: skip


def good_answer(question: str, kind: str) -> Answer:
    return Answer(
        question=question,
        text="ISIS fighters attacked the Uqaylah police station, killing one policeman [1].",
        abstained=False,
        citations=(citation(1, PARAGRAPH),),
        standalone_question=question,
        passages=(passage(PARAGRAPH, 0), passage(OTHER, 1)),
        question_type=kind,
    )


def abstention(question: str) -> Answer:
    return Answer(
        question=question, text="The articles don't say.", abstained=True,
        citations=(citation(1, OTHER),), passages=(passage(OTHER, 1),), question_type="who",
    )  # fmt: skip


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    return write_questions(
        tmp_path / "questions.jsonl",
        [
            {"id": "who-1", "question": "Who attacked the police station?", "answers": ["ISIS"],
             "evidence": ["ISIS fighters attacked the Uqaylah police station"]},
            {"id": "broken", "question": "How many died?", "answers": ["one"], "evidence": [PARAGRAPH]},
            {"id": "none-1", "question": "Who won the 2030 cup?", "unanswerable": True},
            {"id": "follow-1", "question": "How many policemen died there?", "history": ["Where is Uqaylah?"],
             "answers": ["one"], "evidence": [PARAGRAPH]},
        ],
    )  # fmt: skip


@pytest.fixture
def assistant(tmp_path: Path) -> ScriptedAssistant:
    return ScriptedAssistant(
        {
            "Who attacked the police station?": good_answer("Who attacked the police station?", "who"),
            "How many died?": RuntimeError("index went away"),
            "Who won the 2030 cup?": abstention("Who won the 2030 cup?"),
            "How many policemen died there?": good_answer("How many policemen died there?", "how many"),
        },
        index_dir=tmp_path / "index",
    )


def test_run_writes_the_four_files(questions: Path, assistant: ScriptedAssistant, tmp_path: Path) -> None:
    result = run(questions, assistant=assistant, out_dir=tmp_path / "runs" / "x")
    assert [p.name for p in result.files] == ["answers.jsonl", "report.json", "report.md", "report.png"]
    assert all(p.stat().st_size > 0 for p in result.files)
    assert result.files[3].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_opens_as_an_image(questions: Path, assistant: ScriptedAssistant, tmp_path: Path) -> None:
    import matplotlib.image

    result = run(questions, assistant=assistant, out_dir=tmp_path / "run")
    height, width, _ = matplotlib.image.imread(result.out_dir / "report.png").shape
    assert width > 800 and height > 400


def test_an_error_is_recorded_and_the_run_goes_on(
    questions: Path, assistant: ScriptedAssistant, tmp_path: Path
) -> None:
    result = run(questions, assistant=assistant, out_dir=tmp_path / "run")
    lines = (tmp_path / "run" / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    records = {r["id"]: r for r in map(json.loads, lines)}
    assert list(records) == ["who-1", "broken", "none-1", "follow-1"]
    assert records["broken"]["error"] == "RuntimeError: index went away"
    assert records["follow-1"]["answer"]["abstained"] is False
    assert result.report["overall"]["errors"] == 1


def test_history_is_handed_to_the_assistant(questions: Path, assistant: ScriptedAssistant, tmp_path: Path) -> None:
    run(questions, assistant=assistant, out_dir=tmp_path / "run")
    assert ("How many policemen died there?", ["Where is Uqaylah?"]) in assistant.asked


def test_progress_is_reported_after_each_question(
    questions: Path, assistant: ScriptedAssistant, tmp_path: Path
) -> None:
    seen: list[tuple[int, int, str]] = []
    run(questions, assistant=assistant, out_dir=tmp_path / "run", on_progress=lambda *a: seen.append(a))
    assert seen == [(1, 4, "asking who-1"), (2, 4, "asking broken"), (3, 4, "asking none-1"), (4, 4, "asking follow-1")]


def test_default_out_dir_is_a_timestamped_folder_under_runs() -> None:
    out = default_out_dir()
    assert out.parent == Path("runs") and re.fullmatch(r"\d{8}-\d{6}", out.name)


def test_answers_keep_the_answer_passages_and_latency(
    questions: Path, assistant: ScriptedAssistant, tmp_path: Path
) -> None:
    result = run(questions, assistant=assistant, out_dir=tmp_path / "run")
    first = result.records[0]
    assert first["answer"] == good_answer("Who attacked the police station?", "who").to_dict()
    assert [(p["rank"], p["text"], p["score"]) for p in first["passages"]] == [
        (1, PARAGRAPH, 1.0),
        (2, OTHER, 0.5),
    ]
    assert first["latency_s"] >= 0


def test_report_metrics_overall_and_per_type(questions: Path, assistant: ScriptedAssistant, tmp_path: Path) -> None:
    report = run(questions, assistant=assistant, out_dir=tmp_path / "run").report
    overall = report["overall"]
    assert overall["accuracy"] == 0.75  # two right answers, a right abstention, an error
    assert overall["hit@1"] == pytest.approx(2 / 3)  # the error retrieved nothing
    assert overall["citation_precision"] == 1.0
    assert (overall["abstention_precision"], overall["abstention_recall"]) == (1.0, 1.0)
    assert list(report["by_type"]) == ["who", "how many", "unknown", "follow-up", "unanswerable"]
    assert report["by_type"]["how many"]["accuracy"] == 1.0
    assert report["by_type"]["unknown"]["errors"] == 1
    assert report["by_type"]["follow-up"]["questions"] == 1


def test_report_records_settings_and_failures(questions: Path, assistant: ScriptedAssistant, tmp_path: Path) -> None:
    run(questions, assistant=assistant, out_dir=tmp_path / "run")
    report = json.loads((tmp_path / "run" / "report.json").read_text(encoding="utf-8"))
    assert report["settings"]["index"]["dir"] == str(tmp_path / "index")
    assert report["settings"]["retrieval"]["top_k"] == Settings().retrieval.top_k
    assert report["failures"] == [
        {
            "id": "broken",
            "question": "How many died?",
            "groups": ["unknown"],
            "expected": "one",
            "got": "ERROR RuntimeError: index went away",
            "hit_rank": None,
        }
    ]
    assert set(report["definitions"]) >= {"hit@1", "mrr", "citation_precision", "latency_p95_s"}


def test_report_markdown_is_readable(questions: Path, assistant: ScriptedAssistant, tmp_path: Path) -> None:
    run(questions, assistant=assistant, out_dir=tmp_path / "run")
    markdown = (tmp_path / "run" / "report.md").read_text(encoding="utf-8")
    for heading in ("## Metrics", "## By question type", "## Failures (1)", "## Settings"):
        assert heading in markdown
    assert "| accuracy | 0.750 |" in markdown
    assert "- got: ERROR RuntimeError: index went away" in markdown
    assert "![metrics per question type and latency](report.png)" in markdown


def test_summary_gives_the_headline_metrics(questions: Path, assistant: ScriptedAssistant, tmp_path: Path) -> None:
    result = run(questions, assistant=assistant, out_dir=tmp_path / "run")
    counts, metrics_line = result.summary().splitlines()
    # The report written to disk says the same (one run: a second one's latencies differ).
    assert render_summary(json.loads((result.out_dir / REPORT_FILE).read_text(encoding="utf-8"))) == result.summary()
    assert counts == "4 questions: 2 answered, 1 abstained, 1 errors"
    assert metrics_line.startswith("accuracy 0.750, answered precision 1.000, hit@1 0.667")


# --- comparing runs ------------------------------------------------------------------


def test_compare_lists_the_questions_that_changed(
    questions: Path, assistant: ScriptedAssistant, tmp_path: Path
) -> None:
    run(questions, assistant=assistant, out_dir=tmp_path / "a")
    assistant.answers["How many died?"] = good_answer("How many died?", "how many")
    assistant.answers["Who won the 2030 cup?"] = good_answer("Who won the 2030 cup?", "who")
    run(questions, assistant=assistant, out_dir=tmp_path / "b")

    text = compare(tmp_path / "a", tmp_path / "b")
    assert "Questions that differ: 2 of 4 in both runs" in text
    assert "[worse] none-1" in text and "[better] broken" in text
    assert text.index("[worse] none-1") < text.index("[better] broken")
    assert "correct: yes -> no; abstained: yes -> no" in text
    accuracy = next(line for line in text.splitlines() if line.startswith("accuracy"))
    assert accuracy.split() == ["accuracy", "0.750", "0.750", "+0.000"]


def test_load_run_explains_a_missing_run(tmp_path: Path) -> None:
    with pytest.raises(QAError, match="no evaluation run at"):
        load_run(tmp_path / "nothing")


# --- with the real Assistant ---------------------------------------------------------

LIBYA = """Attack on Uqaylah police station

On 24 July, ISIS fighters attacked the Uqaylah police station in eastern Libya, killing one policeman.

The Libyan National Army pursued the attackers and killed 13 militants in Wadi al-Jafr.
"""

ITALY = """Conte meets Trump

On 30 July, Italy's Prime Minister Giuseppe Conte met US President Donald Trump at the White House.

The two leaders discussed migration across the Mediterranean and a conference on Libya in Sicily.
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "libya.txt").write_text(LIBYA, encoding="utf-8")
    (folder / "italy.txt").write_text(ITALY, encoding="utf-8")
    return folder


def test_prepare_assistant_reuses_the_index_for_the_same_corpus(corpus: Path, tmp_path: Path, embedder) -> None:
    settings = Settings().replace(index_dir=tmp_path / "unused")
    first = prepare_assistant(settings, corpus, cache_dir=tmp_path / "cache", embedder=embedder)
    second = prepare_assistant(settings, corpus, cache_dir=tmp_path / "cache", embedder=embedder)
    assert second.settings.index.dir == first.settings.index.dir
    assert first.settings.index.dir.parent == tmp_path / "cache"
    assert second.status()["articles"] == 2
    assert second.ingest([corpus]).added == 0  # the cached index already holds every chunk


def test_prepare_assistant_uses_a_fresh_index_for_a_changed_corpus(corpus: Path, tmp_path: Path, embedder) -> None:
    settings = Settings().replace(index_dir=tmp_path / "unused")
    before = prepare_assistant(settings, corpus, cache_dir=tmp_path / "cache", embedder=embedder)
    (corpus / "italy.txt").write_text(ITALY + "\nA third paragraph about the summit.\n", encoding="utf-8")
    after = prepare_assistant(settings, corpus, cache_dir=tmp_path / "cache", embedder=embedder)
    assert after.settings.index.dir != before.settings.index.dir


def test_prepare_assistant_explains_a_missing_corpus(tmp_path: Path) -> None:
    with pytest.raises(QAError, match="no corpus at"):
        prepare_assistant(
            Settings().replace(index_dir=tmp_path / "i"), tmp_path / "missing", cache_dir=tmp_path / "cache"
        )


def test_a_real_run_answers_and_cites(corpus: Path, tmp_path: Path, embedder) -> None:
    settings = Settings().replace(index_dir=tmp_path / "i")
    assistant = prepare_assistant(settings, corpus, cache_dir=tmp_path / "cache", embedder=embedder)
    path = write_questions(
        tmp_path / "q.jsonl",
        [
            {"id": "q1", "question": "Who attacked the Uqaylah police station?", "answers": ["ISIS"],
             "evidence": ["ISIS fighters attacked the Uqaylah police station"]},
            {"id": "q2", "question": "Where did Conte meet Trump?", "answers": ["White House"],
             "evidence": ["met US President Donald Trump at the White House"]},
        ],
    )  # fmt: skip
    result = run(path, assistant=assistant, out_dir=tmp_path / "run", context={"corpus": str(corpus)})
    overall = result.report["overall"]
    assert (overall["errors"], overall["hit@5"], overall["accuracy"]) == (0, 1.0, 1.0)
    assert overall["citation_precision"] == 1.0
    assert result.report["corpus"] == str(corpus)
    assert result.report["index"]["articles"] == 2
    assert "## Failures (0)" in (tmp_path / "run" / "report.md").read_text(encoding="utf-8")


def test_prepare_assistant_without_corpus_needs_an_existing_index(tmp_path: Path) -> None:
    with pytest.raises(NoIndexError, match="no index at"):
        prepare_assistant(Settings().replace(index_dir=tmp_path / "none"))
