"""Analyzers know media and text, not the database: each turns one subject into Signals."""
