"""The dashboards: one page per role gathering what that role needs from every app,
each read through the owning app's selectors, and /dashboard/ in front of them."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from accounts import selectors as account_selectors
from certification import selectors as certification_selectors
from certification.charts import month_chart
from core.permissions import role_required
from courses import selectors as course_selectors
from courses.handson import mentor_selectors
from courses.handson import selectors as handson_selectors
from exams.practical.selectors import examiner_worklist
from exams.standards.selectors import exercises_for_judge


@require_safe
def dashboard(request):
    """Send each user to the dashboard of their most senior role."""
    user = request.user
    if not user.is_authenticated:
        return redirect("account_login")
    for role, url in (
        ("is_administrator", "accounts:admin_dashboard"),
        ("is_examiner", "accounts:examiner_dashboard"),
        ("is_instructor", "accounts:instructor_dashboard"),
    ):
        if getattr(user, role):
            return redirect(url)
    return redirect("accounts:trainee_dashboard")


@role_required("trainee")
@require_safe
def trainee_dashboard(request):
    licences = list(account_selectors.licence_list_for_holder(user=request.user))
    enrolments = course_selectors.enrolment_list_for_trainee(user=request.user)
    return render(
        request,
        "portal/trainee_dashboard.html",
        {
            "licences": licences,
            "has_valid_licence": any(licence.is_valid() for licence in licences),
            "licence_waiting": account_selectors.licence_awaiting(request.user, licences=licences) is not None,
            # The pathway's licence stage asks accounts.selectors.licence_awaiting, from
            # these licences (no second query).
            "journeys": certification_selectors.trainee_journeys(
                user=request.user, enrolments=enrolments, licences=licences
            ),
            "profile_complete": bool(request.user.legal_name and request.user.profession),
        },
    )


@role_required("administrator")
@require_safe
def admin_dashboard(request):
    return render(
        request,
        "portal/admin_dashboard.html",
        {
            "counts": account_selectors.licence_counts(),
            "oldest": account_selectors.licence_next_in_queue(),
            "mentors_waiting": mentor_selectors.mentor_queue().count(),
            "name_changes_waiting": account_selectors.name_change_pending_count(),
            "courses": course_selectors.course_list_for_staff(),
            "certificates": certification_selectors.certificate_counts(),
            "per_month": month_chart(certification_selectors.certificates_issued_per_month(months=12)),
            "exercises": exercises_for_judge(request.user).filter(status="open"),
        },
    )


@role_required("instructor")
@require_safe
def instructor_dashboard(request):
    courses = course_selectors.courses_taught(user=request.user)
    drafts = handson_selectors.drafts_awaiting_signoff(instructor=request.user)
    return render(request, "portal/instructor_dashboard.html", {"courses": courses, "drafts": drafts})


@role_required("examiner")
@require_safe
def examiner_dashboard(request):
    pending, completed = examiner_worklist(examiner=request.user)
    return render(
        request,
        "portal/examiner_dashboard.html",
        {"pending": pending, "completed": completed, "exercises": exercises_for_judge(request.user)},
    )
