"""The API implementation.

``pywats._async`` is hand-written; ``pywats._sync`` is generated from it.
"""
