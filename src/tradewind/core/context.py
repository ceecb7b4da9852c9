from django.conf import settings
from django.http import HttpRequest


def languages(request: HttpRequest) -> dict[str, object]:
    """Language names in their own script, so each is readable whatever the current language."""
    return {"LANGUAGES_NATIVE": settings.LANGUAGES}
