"""The fitted models on the bundled MiniLM: the reader, which points at the answer in a passage, and the support
judge, which says whether a span of a source states what a written sentence claims.

`windows` turns a question (or a claim) and a passage (or a span) into the model's inputs (the
same code at fit and at answer time), `artifact` loads a shipped adapter and exports the merged
model to ONNX once, `runtime` runs it with ONNX Runtime (or PyTorch where it is loaded) and
decodes the reader's spans, `judge` scores claims for the verify stage, and `calibrate` turns
the reader's scores into the support that decides abstention.
"""
