"""Shared fixtures: the real bundled model, real Chroma stores in temporary folders."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from index.embedding import Embedder
from qa import Settings
from qa.api import Assistant

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "data" / "articles"
QUESTIONS = ROOT / "eval" / "questions.jsonl"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """One loaded copy of the bundled model for the whole run."""
    return Embedder()


@pytest.fixture
def make_assistant(tmp_path, embedder):
    """A fresh Assistant over an empty index in a temporary folder."""

    def make(name: str = "index", **settings) -> Assistant:
        return Assistant(settings=Settings().replace(index_dir=tmp_path / name, **settings), embedder=embedder)

    return make


@pytest.fixture(scope="session")
def sample(tmp_path_factory, embedder) -> Assistant:
    """The five sample articles, ingested once (read-only for the tests that use it)."""
    assistant = Assistant(settings=Settings().replace(index_dir=tmp_path_factory.mktemp("sample")), embedder=embedder)
    report = assistant.ingest([ARTICLES])
    assert not report.errors
    return assistant


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of the sample articles."""
    target = tmp_path / "articles"
    shutil.copytree(ARTICLES, target)
    return target


def source_text(path: str) -> str:
    """The decoded text of a sample file, as citations' offsets see it."""
    return Path(path).read_text(encoding="utf-8")


def questions() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
