"""The BarcodeIdentifiers domain: patterns that recognise serial and part numbers in barcodes."""
