from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, object]:
    """Values every page needs: whether this is a demo instance (shown in a banner)."""
    return {"ETAGE_DEMO": settings.ETAGE_ALLOW_DEMO_ACCOUNTS and settings.DEBUG}
