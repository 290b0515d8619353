"""The OpenAPI schema: every operation documents the error answers it can give."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from security.apierrors import ErrorSerializer

ERRORS = {
    "400": "Invalid input: see error.fields.",
    "401": "No valid credentials: sign in, or send a valid token (Authorization: Bearer …).",
    "403": "The role or the token's scopes do not allow this.",
    "404": "Nothing with this id here (also for another office's id, and for what the caller may not see).",
    "429": "Too many requests: wait for the seconds in Retry-After.",
}


class ApiAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer: Any, direction: str) -> str:
        """Views nest their own ``InputSerializer``: name the component after the view
        (``CaseCloseApi.InputSerializer`` -> ``CaseCloseInput``) so the names do not collide."""
        owner, _, own = type(serializer).__qualname__.rpartition(".")
        if owner:
            return owner.removesuffix("Api") + own.removesuffix("Serializer")
        return super().get_serializer_name(serializer, direction)

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in ERRORS.items():
            if code == "404" and "{" not in self.path:
                continue
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            responses[code]["description"] = responses[code].get("description") or description
        return responses
