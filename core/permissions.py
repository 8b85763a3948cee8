"""Who may reach a page. Role pages answer 403 to signed-in users without the role;
objects that are not the user's answer 404 (see each app's get_<entity>_for)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

ROLES = ("trainee", "instructor", "examiner", "administrator")


def role_required(*roles: str):
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"Unknown roles: {unknown}")

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not any(getattr(request.user, f"is_{role}", False) for role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
