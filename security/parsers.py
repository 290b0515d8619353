"""The API reads JSON only, and only text that the database can store."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class StrictJSONParser(JSONParser):
    """JSON whose strings are valid Unicode.

    ``"\\ud800"`` is valid JSON but decodes to a lone surrogate that PostgreSQL cannot store:
    refused here as a parse error (400) rather than failing in the database (500).
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError("JSON parse error - strings must be valid Unicode text.") from None
        return data
