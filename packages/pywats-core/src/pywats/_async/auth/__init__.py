"""The Auth domain: the legacy GetToken routes."""
