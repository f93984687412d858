"""The Production domain: units, serial numbers, batches, box build."""
