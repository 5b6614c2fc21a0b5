"""Every way of encoding gives the same vectors as PyTorch in float32 (cosine >= 0.99)."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedding import Embedder
from tests.conftest import ARTICLES

TEXTS = [
    "how many people were beheaded at the al-Fugaha checkpoint?",
    *[line for line in (ARTICLES / "002_87556d76f135b60a.txt").read_text(encoding="utf-8").splitlines() if line][:6],
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """The model as sentence-transformers runs it by default: float32, batches padded to their longest text."""
    from sentence_transformers import SentenceTransformer

    from index.embedding import bundled_model_path

    return SentenceTransformer(bundled_model_path(), device="cpu").encode(TEXTS, normalize_embeddings=True)


def test_float32_encoding_with_padded_batches_agrees_with_the_plain_model(reference):
    vectors = np.asarray(Embedder(precision="fp32", batch_size=3).embed(TEXTS))
    assert (vectors * reference).sum(axis=1).min() >= 0.9999


def test_token_counts_and_offsets_are_the_model_tokenizers(reference):
    embedder = Embedder(precision="fp32")
    texts = [*TEXTS, "", "Café naïve 日本語 😀", "word " * 400]
    expected = embedder.model.tokenizer(
        texts, return_offsets_mapping=True, truncation=True, max_length=embedder.model.max_seq_length
    )["offset_mapping"]
    assert [list(map(tuple, o)) for o in embedder._offsets(texts)] == [list(map(tuple, o)) for o in expected]
    assert [embedder.count_tokens(t) for t in texts] == [len(embedder.model.tokenizer.tokenize(t)) for t in texts]


def test_bfloat16_bulk_encoding_agrees_with_float32(reference):
    vectors = np.asarray(Embedder(precision="bf16").embed(TEXTS))
    assert (vectors * reference).sum(axis=1).min() >= 0.99


def test_the_onnx_query_encoder_agrees_with_pytorch(reference):
    embedder = Embedder(precision="fp32")
    embedder.prepare_queries()
    assert embedder.queries_use_onnx
    vectors = embedder.encode(TEXTS)
    assert (vectors * reference).sum(axis=1).min() >= 0.99


def test_sentence_vectors_pooled_in_one_pass_are_unit_vectors(reference):
    embedder = Embedder(precision="fp32")
    text = TEXTS[1]
    whole, pooled = embedder.embed_chunks([text], [[(0, len(text) // 2), (len(text) // 2, len(text))]])
    assert np.allclose(np.linalg.norm(pooled[0], axis=1), 1.0, atol=1e-4)
    assert float(np.dot(whole[0], reference[1])) >= 0.99


def test_the_first_export_and_a_question_send_nothing_off_the_machine(tmp_path):
    """A fresh cache makes `qa ingest` export the model to ONNX, and `qa ask` load it: no request may leave."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.ui.conftest import OutboundRecorder

    recorder = OutboundRecorder()
    proxy = f"http://127.0.0.1:{recorder.port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ORT_")},
        "XDG_CACHE_HOME": str(tmp_path / "cache"), "QA_INDEX_DIR": str(tmp_path / "index"), "PYTHONPATH": str(ROOT),
        "HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "http_proxy": proxy, "https_proxy": proxy,
    }  # fmt: skip
    code = (
        "import time\nfrom pathlib import Path\n"
        "from index.embedding import bundled_model_path\nfrom index.onnx_encoder import OnnxEncoder, export\n"
        f"model, target = Path(bundled_model_path()), Path({str(tmp_path / 'model.onnx')!r})\n"
        "export(model, target)\nOnnxEncoder(model, target).encode(['who was beheaded?'])\n"
        "time.sleep(8)  # time for any report to go out\n"
        "from qa import Assistant\n"
        f"a = Assistant()\na.ingest([{str(ARTICLES)!r}])\n"
        "print(a.ask('How many people were beheaded at the al-Fugaha checkpoint?').text)\n"
    )
    try:
        # One process, as in the app: the export, then ONNX Runtime loading it; then the whole API path.
        done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        assert list((tmp_path / "cache" / "qa-news" / "onnx").glob("*/model.onnx"))
        assert "eleven" in done.stdout
    finally:
        recorder.close()
    assert recorder.seen == []
