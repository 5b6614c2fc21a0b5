"""Prompt and answer templates, as plain text files (data only)."""
