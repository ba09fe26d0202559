"""People who use the web app and the API: users and roles, sessions, tokens, and the audit log."""
