"""A strict HTML tree for checking eksy's HTML forms: the standard library's parser, with every
element required to close in order (as a browser's DOM would have it, nothing left to guess)."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node | str] = []

    def elements(self) -> list[Node]:
        return [child for child in self.children if isinstance(child, Node)]

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def walk(self) -> list[Node]:
        found = []
        for child in self.elements():
            found.append(child)
            found += child.walk()
        return found

    def find_all(self, tag: str | None = None, class_: str | None = None) -> list[Node]:
        return [
            node
            for node in self.walk()
            if (tag is None or node.tag == tag)
            and (class_ is None or class_ in (node.attrs.get("class") or "").split())
        ]

    def find(self, tag: str | None = None, class_: str | None = None) -> Node | None:
        found = self.find_all(tag, class_)
        return found[0] if found else None

    def child(self, tag: str) -> Node:
        """The first direct child element ``tag``; fails the test if there is none."""
        for element in self.elements():
            if element.tag == tag:
                return element
        raise AssertionError(f"<{self.tag}> has no <{tag}> child: {[e.tag for e in self.elements()]}")

    def rows(self) -> list[Node]:
        """The rows of a table (through its tbody)."""
        assert self.tag == "table"
        body = self.child("tbody")
        return [row for row in body.elements() if row.tag == "tr"]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        open_tag = self.stack[-1].tag
        assert open_tag == tag, f"</{tag}> closes <{open_tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(markup: str) -> Node:
    builder = _Builder()
    builder.feed(markup)
    builder.close()
    assert builder.stack == [builder.root], f"unclosed: {[n.tag for n in builder.stack[1:]]}"
    return builder.root
