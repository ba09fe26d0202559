"""Corpus-level analytics over the signals the analyzers emitted (repost groups, ...)."""
