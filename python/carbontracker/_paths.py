"""Paths handed to the C++ core. A NUL byte cannot be part of a POSIX path: the C++ side would
cut the path there and write (or read) somewhere else, so it is refused here with a ValueError,
as Python's own os functions do ("embedded null byte")."""

import os


def checked_path(value, name, error=None):
    """os.fsdecode(value), refusing a NUL byte with a ValueError naming `name` (error(message,
    name) when given, e.g. ConfigError, a ValueError that keeps the parameter).
    None and values that are not paths (str, bytes, os.PathLike) are returned unchanged: their
    own checks apply."""
    if value is None or not isinstance(value, (str, bytes, os.PathLike)):
        return value
    text = os.fsdecode(value)
    if "\0" in text:
        message = (
            f"invalid {name}: the path {text!r} contains a NUL byte, which a path cannot hold "
            f"(it would be cut there); fix: give {name} without NUL characters"
        )
        raise error(message, name) if error else ValueError(message)
    return text
