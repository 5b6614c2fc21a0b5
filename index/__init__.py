"""Turning article files into stored, searchable paragraphs (ingestion and storage)."""

import os

# ONNX Runtime reports usage to Microsoft unless told not to (read when its library loads, so
# before anything imports it): nothing leaves the machine.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

from index.errors import IndexingError

__all__ = ["IndexingError"]
