"""Recognition in images against reference images that analysts register (emblems, watermarks)."""
