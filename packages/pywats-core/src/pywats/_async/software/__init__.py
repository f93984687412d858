"""The Software domain: software packages for distribution to stations."""
