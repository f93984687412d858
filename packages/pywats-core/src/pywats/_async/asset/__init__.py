"""The Asset domain: fixtures and instruments, counts, calibration, maintenance."""
