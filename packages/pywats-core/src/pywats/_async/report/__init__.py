"""The Report domain: submit, read back and query test (UUT) and repair (UUR) reports."""
