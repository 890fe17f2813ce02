"""Turns the service model's HTML documentation into plain text for docstrings."""

from __future__ import annotations

import html
import re
import textwrap
from html.parser import HTMLParser

_BLOCK_TAGS = {"p", "ul", "ol", "dl", "div", "note", "important", "br", "dt", "dd"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.list_depth = 0

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self._flush()
            self.list_depth += 1
        elif tag == "li":
            self._flush()
            self.current.append("- ")
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self._flush()
            self.list_depth = max(0, self.list_depth - 1)
        elif tag == "li" or tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self.current.append(data)


def to_text(doc: str | None, width: int = 88) -> str:
    """Plain text with paragraphs separated by blank lines and list items kept."""
    if not doc:
        return ""
    parser = _TextCollector()
    parser.feed(doc)
    parser.close()
    parser._flush()
    paragraphs = []
    for block in parser.blocks:
        block = html.unescape(block).replace("\\", "\\\\").replace('"""', "'''")
        if block.startswith("- "):
            paragraphs.append(
                textwrap.fill(block, width, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False)
            )
        else:
            paragraphs.append(textwrap.fill(block, width, break_on_hyphens=False, break_long_words=False))
    merged: list[str] = []
    for para in paragraphs:
        # Consecutive list items read better without blank lines between them.
        if merged and para.startswith("- ") and merged[-1].startswith("- "):
            merged[-1] += "\n" + para
        else:
            merged.append(para)
    return "\n\n".join(merged)


def first_sentence(doc: str | None) -> str:
    text = to_text(doc, width=10_000).split("\n\n")[0] if doc else ""
    match = re.match(r"(.+?\.)(\s|$)", text)
    return (match.group(1) if match else text).strip()
