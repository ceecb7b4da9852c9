from enum import StrEnum


class WebhookError(StrEnum):
    BAD_URL = "webhook_bad_url"
    URL_REFUSED = "webhook_url_refused"
    NO_EVENTS = "webhook_no_events"
    UNKNOWN_EVENT = "webhook_unknown_event"
    BAD_DESCRIPTION = "webhook_bad_description"
    BAD_EVENT_TYPE = "webhook_bad_event_type"
    PAYLOAD_TOO_LARGE = "webhook_payload_too_large"
    ENDPOINT_DISABLED = "webhook_endpoint_disabled"
    TOO_MANY_ENDPOINTS = "webhook_too_many_endpoints"
