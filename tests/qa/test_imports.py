"""The light paths stay light: what `import qa`, `qa --help` and a one-shot answer import (not timed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ARTICLES, ROOT

HEAVY = ("torch", "transformers", "sentence_transformers", "chromadb", "gradio", "llama_index")


def imported(code: str, env: dict[str, str] | None = None) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})  # fmt: skip
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_import_qa_loads_no_heavy_library():
    assert not imported("import qa") & set(HEAVY)


def test_qa_help_loads_no_heavy_library():
    code = "import contextlib, io, qa.cli\nwith contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n    qa.cli.main(['--help'])"
    assert not imported(code) & set(HEAVY)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("imports") / "index"
    env = {**os.environ, "QA_INDEX_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "qa.cli", "ingest", str(ARTICLES)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return folder


def test_answering_from_an_existing_index_loads_no_pytorch(index):
    code = (
        "import io, contextlib, qa.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    assert qa.cli.main(['ask', 'how many people were beheaded at the al-Fugaha checkpoint?']) == 0\n"
        "assert 'eleven' in out.getvalue()"
    )
    found = imported(code, {"QA_INDEX_DIR": str(index)})
    assert not found & {"torch", "transformers", "sentence_transformers", "llama_index", "sklearn", "nltk"}


def test_status_loads_no_model(index):
    code = "import io, contextlib, qa.cli\nwith contextlib.redirect_stdout(io.StringIO()):\n    qa.cli.main(['status'])"
    assert not imported(code, {"QA_INDEX_DIR": str(index)}) & {"torch", "transformers", "sentence_transformers"}
