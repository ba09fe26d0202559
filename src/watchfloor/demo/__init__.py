"""Synthetic demo corpus for ``make demo`` (fictional outlet, benign stand-in content)."""

from watchfloor.demo.corpus import generate_corpus

__all__ = ["generate_corpus"]
