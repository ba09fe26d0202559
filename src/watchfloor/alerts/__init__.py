"""Alerts: rules read from YAML, stateful and deduplicated firing, and sinks that deliver them."""
