"""Splitting a plain-text email into what the sender wrote and the history they quoted."""

from __future__ import annotations

import re

# "On Tue, 3 Mar 2026 at 10:02, Jo Bloggs <jo@example.org> wrote:" and Outlook's header block.
_ATTRIBUTION = re.compile(r"^\s*(On\s.{0,300}\swrote:|-{2,}\s*Original Message\s*-{2,}|From:\s.+)\s*$", re.IGNORECASE)


def split_quoted(text: str) -> tuple[str, str]:
    """(what is new, the quoted history). The history starts at the first attribution line
    ("On … wrote:") or at the first run of lines starting with ">" that reaches the end.
    """
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if _ATTRIBUTION.match(line) and index > 0:
            return _join(lines[:index]), _join(lines[index:])
    # Otherwise: the trailing block of ">" lines (blank lines inside it included).
    start = len(lines)
    for index in range(len(lines) - 1, -1, -1):
        stripped = lines[index].strip()
        if stripped.startswith(">"):
            start = index
        elif stripped:
            break
    if start < len(lines) and start > 0:
        return _join(lines[:start]), _join(lines[start:])
    return text.strip("\n"), ""


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")
