"""Matching media against hash banks: banks and their entries (``banks``), the hash-list formats
they are filled from and exported to (``formats``), and the PDQ index the matcher searches."""
