"""Domain errors: a service refusing a change for a reason the user can be told."""


class DomainError(Exception):
    """Raised by services; views show ``str(error)`` to the user as it stands."""
