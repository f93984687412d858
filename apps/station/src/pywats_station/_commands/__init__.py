"""The ``pywats-station`` commands, one module each.

Each module offers ``add_parser(commands)``, which adds its sub-command to the
``argparse`` sub-parsers, and ``run(args, home) -> exit code``. ``pywats_station._cli``
puts them together and turns :class:`~pywats_station._commands._common.UserError` into
one line on stderr.
"""
