"""The standard converters shipped with pywats-converters, each registered as an entry point.

Import nothing from here in the station's own process: the runner loads converters in its
worker processes, through the ``pywats.converters`` entry points.
"""
