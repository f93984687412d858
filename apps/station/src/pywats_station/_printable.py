"""Text from outside (file names, server answers) made safe to print on a terminal."""

from __future__ import annotations

import unicodedata

__all__ = ["printable"]

# Control characters, format characters (bidi overrides, zero-width joiners) and the
# Unicode line and paragraph separators: none may reach a terminal as they are.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: object) -> str:
    """``text`` with every control or format character written as an escape (``\\n``
    becomes ``\\x0a``), so a file name or a server's text cannot start a new line, move
    the cursor or reorder what follows it."""
    out = []
    for char in str(text):
        if unicodedata.category(char) in _UNSAFE_CATEGORIES:
            out.append(_escape(char))
        else:
            out.append(char)
    return "".join(out)
