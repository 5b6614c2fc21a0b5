"""The reader: a span model fine-tuned from the bundled MiniLM that points at the answer in a passage.

`windows` turns a question and a passage into the model's inputs (the same code at fit and at
answer time), `artifact` loads the shipped adapter and exports the merged model to ONNX once,
`runtime` runs it with ONNX Runtime and decodes spans, and `calibrate` turns its scores into
the support that decides abstention.
"""
