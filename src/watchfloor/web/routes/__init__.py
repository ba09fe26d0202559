"""One module per area; each exposes `router`. Every route depends on `security.require(...)`
except those of `public.py` (log in, log out, health, the login page's stylesheet)."""
