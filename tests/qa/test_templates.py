"""Prompt templates ship as package data and carry exactly the placeholders code fills."""

from __future__ import annotations

from importlib import resources

import pytest

from qa import QAError
from qa.templates import REQUIRED, render, template


def test_every_shipped_template_loads_with_its_placeholders():
    shipped = {p.name.removesuffix(".txt") for p in resources.files("prompts").iterdir() if p.name.endswith(".txt")}
    assert shipped == set(REQUIRED)
    for name in shipped:
        assert template(name)


def test_render_fills_the_placeholders():
    assert render("abstain", topic="who won", markers="[1]").startswith("The articles don't say who won.")


def test_a_missing_template_is_a_clear_error():
    with pytest.raises(QAError, match="missing"):
        template("no_such_template")
