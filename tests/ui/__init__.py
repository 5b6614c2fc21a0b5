"""Tests of the browser UI: the real app in headless Chromium, its client API and its parts."""
