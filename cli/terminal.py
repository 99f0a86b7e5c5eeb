"""Terminal output that data can never take over: control characters are shown, not obeyed.

Names, addresses and notes come from files anyone can send; an ESC or BEL in them, or a whole ANSI
sequence in a reviewer's note, must not recolour, retitle or beep the user's terminal. `cli.main`
wraps stdout in `EscapingStream`, so every command's output shows such characters as `\\x1b`, `\\x07`;
messages to stderr go through `error`. Tabs and newlines pass unchanged; JSON output is unaffected
(`json.dumps` already escapes control characters).
"""

from __future__ import annotations

import io
import re
from typing import TextIO

import click

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """`text` with every control character but tab and newline written as `\\xNN`."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


class EscapingStream(io.TextIOBase):
    """A text stream that escapes control characters, then writes to `stream`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(escape_controls(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        return self._stream.encoding

    @property
    def errors(self) -> str | None:
        return self._stream.errors


def error(message: str) -> None:
    """Print `message` to stderr with control characters escaped."""
    click.echo(escape_controls(message), err=True)
