"""The Workflow domain: start and end of a test in a WATS workflow."""
