"""Evaluating the assistant on question files: a client of `qa`, reaching it through `Assistant.ask` only."""
