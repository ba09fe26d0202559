"""Analysis on a Dask distributed cluster (``watchfloor analyze --scheduler``).

The main process works as it does locally: it prepares each analyzer from the store, decides
what needs computing and is the only one to write to the database. Workers only compute: they
receive chunks of subjects, read media from a shared copy of the media store
(``store.shared_media``), run the analyzer and return outcomes.
"""
