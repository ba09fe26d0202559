"""Sources know formats, not storage: each yields records (records.py) and rejections."""
