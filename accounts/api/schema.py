"""How the token authentication appears in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api_auth.TokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token created by an administrator (shown once).",
        }


ERROR_STATUSES = {
    "400": "Invalid input: `fields` names each field at fault.",
    "401": "Not authenticated: no session, or an invalid, revoked or inactive token.",
    "403": "Authenticated, but the role or the token's scope does not allow it.",
    "404": "Not found (an object of another administration answers the same).",
    "406": "Not acceptable: the Accept header asks for a format the API does not give (JSON).",
    "415": "Unsupported media type.",
    "429": "Too many requests: see the Retry-After header.",
}


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: every operation documents the shared error responses."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {
                "detail": {"type": "string"},
                "code": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
            "required": ["detail", "code", "fields"],
        },
    )
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                if code == "429":
                    responses.setdefault(
                        code,
                        {
                            "description": description,
                            "content": ref,
                            "headers": {
                                "Retry-After": {
                                    "schema": {"type": "integer"},
                                    "description": "Seconds to wait before retrying.",
                                }
                            },
                        },
                    )
                else:
                    responses.setdefault(code, {"description": description, "content": ref})
    return result
