"""One rule for a person whose role may not use a page, written once for every app's views.

- An object's URL (a page or action on one application, inspection or certificate): 404,
  the answer for an object the person cannot see, so it confirms nothing about the object.
  This holds even when they may read the object elsewhere (an applicant on the desk's
  "accept" of their own application, an officer on the applicant's "submit").
- A page without an object whose existence is public (a list or a dashboard of another
  role, a form to start something): 403, which tells them it is not theirs.

Another tenant's object is already a 404 through `visible_to(user)`.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404


def refuse_role(allowed: bool, *, public_page: bool = False) -> None:
    """Refuse unless `allowed`: 404 on an object's URL, 403 on a public page's."""
    if not allowed:
        raise PermissionDenied if public_page else Http404


def role_required(test, *, public_page: bool = False):
    """A view for the people `test(user)` accepts (login required first); the others are
    refused by refuse_role."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            refuse_role(test(request.user), public_page=public_page)
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


def _is_ministry_staff(user):
    return user.is_ministry_staff


# The ministry desk's pages: `staff_only` where the page stays hidden (404), `staff_page` for
# a list whose existence is public (403).
staff_only = role_required(_is_ministry_staff)
staff_page = role_required(_is_ministry_staff, public_page=True)
