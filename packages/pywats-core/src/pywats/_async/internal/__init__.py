"""Internal WATS operations that fill gaps of the public API (the vendor may change them)."""
