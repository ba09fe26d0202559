"""The analyst web app and REST API: thin routes over the same library functions as the CLI."""
