"""The System domain: clients (stations), levels, system status."""
