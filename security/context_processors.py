from typing import Any

from django.http import HttpRequest

from security.models import Notification


def office(request: HttpRequest) -> dict[str, Any]:
    """The session's office and membership, and the unread count for the header badge."""
    current = getattr(request, "office", None)
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"current_office": current, "current_membership": membership}
    if current is not None and user is not None and user.is_authenticated and user.is_verified():
        context["unread_count"] = lambda: (
            Notification.objects.for_office(current).filter(recipient=user, read_at__isnull=True).count()
        )
        context["office_count"] = lambda: user.active_memberships().count()
    return context
