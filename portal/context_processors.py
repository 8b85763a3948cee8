"""The site's navigation: one group of links per role, pointing into every app (so it
belongs to the top layer, not to core)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request):
    """The links a signed-in user sees: one group per role they hold."""
    user = getattr(request, "user", None)
    links = [(_("Courses"), reverse("courses:catalogue"))]
    if user is None or not user.is_authenticated:
        return {"nav_links": _mark_current(request, links)}
    if user.is_trainee:
        links += [
            (_("My dashboard"), reverse("accounts:trainee_dashboard")),
            (_("My courses"), reverse("courses:my_courses")),
            (_("My licences"), reverse("accounts:licence_list")),
            (_("My certificates"), reverse("certification:list")),
        ]
    if user.is_instructor:
        links.append((_("Teaching"), reverse("accounts:instructor_dashboard")))
    if user.is_examiner:
        links.append((_("Examining"), reverse("accounts:examiner_dashboard")))
    if user.is_examiner or user.is_administrator:
        links.append((_("Invigilation"), reverse("exams:invigilate_list")))
    if user.is_administrator:
        links += [
            (_("Administration"), reverse("accounts:admin_dashboard")),
            (_("Licence queue"), reverse("accounts:licence_queue")),
            (_("Mentor queue"), reverse("courses:mentor_queue")),
            (_("Certificates"), reverse("certification:staff_queue")),
            (_("API keys"), reverse("certification:api_key_list")),
            (_("Jurisdictions"), reverse("accounts:jurisdiction_list")),
            (_("Audit trail"), reverse("core:audit_list")),
        ]
    return {"nav_links": _mark_current(request, links)}


def _mark_current(request, links):
    """The link whose URL is the longest prefix of this page's path is the current one
    (so /staff/certificates/ marks "Certificates", not also "Administration" at /staff/)."""
    path = request.path
    matches = [url for _label, url in links if path.startswith(url)]
    current = max(matches, key=len, default=None)
    return [(label, url, url == current) for label, url in links]
