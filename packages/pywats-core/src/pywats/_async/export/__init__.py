"""The Export domain: certificate export jobs and their files."""
