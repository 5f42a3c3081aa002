"""JSON of API answers written by pydantic-core (dates, decimals and UUIDs in Rust)."""

from ninja.renderers import BaseRenderer
from pydantic_core import to_json


class FastJSONRenderer(BaseRenderer):
    media_type = "application/json"
    charset = "utf-8"

    def render(self, request, data, *, response_status):
        return to_json(data, fallback=str)
