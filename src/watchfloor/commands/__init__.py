"""CLI commands, one module per stage; each is a thin wrapper over a library function."""
