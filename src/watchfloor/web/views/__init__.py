"""Data for the pages and the API: plain dicts from the same library functions as the CLI."""
