"""The Analytics domain: yield, volume, failures, measurements (WATS App statistics)."""
