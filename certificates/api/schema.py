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


WEBHOOKS_TEXT = """

## Webhooks

An organization's owner registers an HTTPS endpoint on the portal's Webhooks page and chooses
events. Each event is POSTed as JSON (the `WebhookPayload` schema) with the headers
`X-Registrasi-Event` (its type), `X-Registrasi-Delivery` (the delivery's id: the same on every
attempt) and `X-Registrasi-Signature: t=<unix time>,v1=<hex>`, where `<hex>` is the
HMAC-SHA256, keyed with the endpoint's secret (shown once, at registration), of `<t>.` followed
by the raw body. Check it, and refuse an old `t`. Answer 2xx to acknowledge; redirects are not
followed. Anything else is tried again with exponential backoff for a day; an endpoint that
fails for a day is disabled and its owners are emailed.
"""


def webhook_payload_component() -> dict:
    from certificates.api.models import WebhookEvent

    return {
        "type": "object",
        "description": "The body of a webhook POST (see Webhooks in the description).",
        "properties": {
            "id": {"type": "string", "description": "evt_<id>: the same on every attempt"},
            "type": {"type": "string", "enum": list(WebhookEvent.values)},
            "created_at": {"type": "string", "format": "date-time"},
            "action": {"type": "string", "description": "The portal's own name of the action"},
            "from_state": {"type": "string"},
            "to_state": {"type": "string"},
            "data": {
                "type": "object",
                "description": "The object: `object` (application, inspection or certificate), "
                "`id`, its state and public fields; an invoice's `number` and `amount`; an "
                "expiry reminder's `milestone` (days before expiry).",
                "additionalProperties": True,
            },
        },
        "required": ["id", "type", "created_at", "action", "data"],
    }


def describe_webhooks(result, generator, request, public):
    """OpenAPI 3.0 has no webhooks section: the payload is a component, its signing is in the
    description, and `x-webhooks` (read by Redoc) names one POST per event type."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["WebhookPayload"] = webhook_payload_component()
    info = result.setdefault("info", {})
    info["description"] = info.get("description", "") + WEBHOOKS_TEXT
    body = {"$ref": "#/components/schemas/WebhookPayload"}
    result["x-webhooks"] = {
        name: {
            "post": {
                "summary": name,
                "requestBody": {"content": {"application/json": {"schema": body}}},
                "responses": {"200": {"description": "Received (any 2xx)"}},
            }
        }
        for name in schemas["WebhookPayload"]["properties"]["type"]["enum"]
    }
    return result
