"""The App domain: server version and processes."""
