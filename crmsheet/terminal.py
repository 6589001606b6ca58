"""What crmsheet prints on a terminal: text from files as plain text, never as instructions.

Cell values, headers, sheet and file names are the user's (or an attacker's) text. Printed
through rich they could be markup (``[/]`` crashes the print, ``[link=...]`` is swallowed),
emoji codes, or terminal controls (ESC colours and moves the cursor, OSC 8 makes links,
``ESC[2J`` clears the screen, bidirectional overrides reorder a line). :class:`PlainConsole`
prints every string as it is, with the controls shown as escapes (:func:`visible`), and its
stream never fails on a character the terminal's encoding lacks.
"""

from __future__ import annotations

import re
import sys
from typing import IO, TYPE_CHECKING, Any, cast

from rich.console import Console, JustifyMethod, OverflowMethod
from rich.style import Style
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import HighlighterType

__all__ = ["PlainConsole", "plain", "plain_console", "visible"]

#: What a terminal obeys instead of showing: C0 and C1 controls (ESC starts colours, OSC 8
#: links, cursor moves and "clear screen"), DEL, line and paragraph separators, and the
#: bidirectional marks, embeddings, overrides and isolates that reorder what is shown.
_UNSHOWN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object) -> str:
    """``text`` with every character a terminal would obey shown as an escape (ESC: ``\\x1b``).

    Cell text, headers, sheet and file names reach the terminal through this, so a file
    can neither colour, link, move the cursor nor clear the screen.
    """
    return _UNSHOWN.sub(_escape, str(text))


def plain(text: object, style: str = "") -> Text:
    """``text`` as a rich Text to print as it is: no markup, controls made visible."""
    return Text(visible(text), style=style)


class _Stream:
    """``sys.stdout`` or ``sys.stderr`` as it is at each write (tests swap them), which writes
    a character its encoding lacks as an escape instead of raising once the work is done."""

    def __init__(self, name: str) -> None:
        self._name = name

    def write(self, text: str) -> int:
        stream = getattr(sys, self._name)
        try:
            return int(stream.write(text))
        except UnicodeEncodeError:
            encoding = getattr(stream, "encoding", None) or "ascii"
            return int(stream.write(text.encode(encoding, "backslashreplace").decode(encoding)))

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding
        return getattr(getattr(sys, self._name), name)


class PlainConsole(Console):
    """A Console that prints every string as plain text: rich markup (``[/b]``,
    ``[link=...]``), emoji codes (``:smile:``) and highlighting are never applied and
    controls are made visible (:func:`visible`), so no text from a file can change what is
    printed or make printing fail."""

    def render_str(
        self,
        text: str,
        *,
        style: str | Style = "",
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        emoji: bool | None = None,
        markup: bool | None = None,
        highlight: bool | None = None,
        highlighter: HighlighterType | None = None,
    ) -> Text:
        return super().render_str(
            visible(text), style=style, justify=justify, overflow=overflow,
            emoji=False, markup=False, highlight=False,
        )  # fmt: skip


def plain_console(name: str, **options: Any) -> PlainConsole:
    """A :class:`PlainConsole` on ``sys.stdout`` or ``sys.stderr`` (``name``)."""
    stream = cast("IO[str]", _Stream(name))
    return PlainConsole(file=stream, highlight=False, markup=False, emoji=False, **options)
