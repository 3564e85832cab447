"""Schema post-processing: request bodies refuse unknown fields (serializers.StrictSerializer),
so the schema says so, and clients (and the fuzzer) know it."""

ERROR = {"$ref": "#/components/schemas/Errors"}
ERRORS_COMPONENT = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
                "required": ["field", "code", "message"],
            },
        }
    },
    "required": ["errors"],
}


def refuse_unknown_fields(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in schemas.items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    schemas["Errors"] = ERRORS_COMPONENT
    return result


def describe_errors(result, generator, request, public):
    """Every error answer has the same JSON body; every operation may be rate-limited (429)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("429", {"description": "Too many requests (see Retry-After)"})
            if "requestBody" in operation:
                responses.setdefault("400", {"description": "Bad input"})
                responses.setdefault("413", {"description": "The body is too large"})
            if operation.get("parameters"):
                responses.setdefault("400", {"description": "Bad input"})
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = {"application/json": {"schema": ERROR}}
    return result
