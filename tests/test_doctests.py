"""Docstring examples are tests too."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "cleaner", "cleaner.read", "cleaner.normalize", "cleaner.segment", "cleaner.clean", "cleaner.detect",
    "cleaner.pipeline", "cleaner.checks.boilerplate", "cleaner.checks.grammar",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str):
    failures, tried = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert tried > 0, f"{name} has no examples"
    assert failures == 0
