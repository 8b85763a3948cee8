"""Who reaches which page, generated over every URL pattern of the project.

Each URL is resolved against real objects (a course, its lessons, an enrolment, a
signed hands-on session, an attempt, an assessment, a certificate, a licence), all
owned by one trainee and taught or examined by named staff, then requested by each of
eight roles with GET and with an empty POST (the test client does not check CSRF
tokens). Every answer is compared with the table below; a URL with no entry fails.

Anonymous users are sent to sign in; signed-in users without the role get 403; objects
that are not theirs answer 404. A request the table does not list in WRITES must leave
every row of the database as it found it.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.tests.factories import JurisdictionFactory, LicenceFactory, NameChangeRequestFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"  # 302 to the sign-in page
ADMIN_LOGIN = "admin-login"  # 302 to the Django admin's sign-in (which is allauth's)
ROLES = (
    "anonymous",
    "owner",  # the trainee whose enrolment, attempt, licence, session and certificate these are
    "other_trainee",
    "instructor",  # teaches the course
    "other_instructor",  # teaches another course
    "examiner",  # assigned to the trainee's practical assessment
    "other_examiner",  # not assigned
    "administrator",
)
L, AL = LOGIN, ADMIN_LOGIN


def same(row: tuple) -> dict[str, tuple]:
    """A page that answers a POST as it answers a GET."""
    return {"GET": row, "POST": row}


def read_only(row: tuple) -> dict[str, tuple]:
    """A page that only reads: a POST is refused (405) once the sign-in and role checks
    that come first have let it through."""
    return {"GET": row, "POST": tuple(answer if answer in (L, AL, 403) else 405 for answer in row)}


# url name → {method: expected answer per role, in ROLES order}. Pages that only read
# answer 405 to a POST, and actions 405 to a GET; a form page answers both.
EXPECTED: dict[str, dict[str, tuple]] = {
    "account_change_password": same((L, 200, 200, 200, 200, 200, 200, 200)),
    "account_confirm_email": {
        "GET": (200, 200, 200, 200, 200, 200, 200, 200),
        "POST": (404, 404, 404, 404, 404, 404, 404, 404),
    },
    "account_confirm_login_code": same((L, 302, 302, 302, 302, 302, 302, 302)),
    "account_email": {"GET": (L, 200, 200, 200, 200, 200, 200, 200), "POST": (L, 302, 302, 302, 302, 302, 302, 302)},
    "account_email_verification_sent": {
        "GET": (200, 200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405, 405),
    },
    "account_inactive": {
        "GET": (200, 200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405, 405),
    },
    "account_login": same((200, 302, 302, 302, 302, 302, 302, 302)),
    "account_logout": {
        "GET": (302, 200, 200, 200, 200, 200, 200, 200),
        "POST": (302, 302, 302, 302, 302, 302, 302, 302),
    },
    "account_reauthenticate": same((L, 200, 200, 200, 200, 200, 200, 200)),
    "account_reset_password": same((200, 200, 200, 200, 200, 200, 200, 200)),
    "account_reset_password_done": {
        "GET": (200, 200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405, 405),
    },
    "account_reset_password_from_key": same((200, 200, 200, 200, 200, 200, 200, 200)),
    "account_reset_password_from_key_done": {
        "GET": (200, 200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405, 405),
    },
    "account_set_password": same((L, 302, 302, 302, 302, 302, 302, 302)),
    "account_signup": same((200, 302, 302, 302, 302, 302, 302, 302)),
    "accounts:admin_dashboard": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    "accounts:examiner_dashboard": read_only((L, 403, 403, 403, 403, 200, 200, 403)),
    "accounts:instructor_dashboard": read_only((L, 403, 403, 200, 200, 403, 403, 403)),
    # Authoring (courses.authoring, exams.authoring, exams.practical.authoring): the course's
    # instructor and administrators; another instructor's course answers 404. A delete
    # without confirmed=yes only asks (200); a move or upload without its fields changes
    # nothing and goes back to the course (302).
    "courses:author_courses": read_only((L, 403, 403, 200, 200, 403, 403, 200)),
    "courses:author_course_create": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "courses:author_course": same((L, 403, 403, 200, 404, 403, 403, 200)),
    "courses:author_module_create": same((L, 403, 403, 200, 404, 403, 403, 200)),
    "courses:author_module": same((L, 403, 403, 200, 404, 403, 403, 200)),
    "courses:author_module_delete": {
        "GET": (L, 403, 403, 405, 405, 403, 403, 405),
        "POST": (L, 403, 403, 200, 404, 403, 403, 200),
    },
    "courses:author_module_move": {
        "GET": (L, 403, 403, 405, 405, 403, 403, 405),
        "POST": (L, 403, 403, 302, 404, 403, 403, 302),
    },
    "courses:author_lesson_create": same((L, 403, 403, 200, 404, 403, 403, 200)),
    "courses:author_lesson": same((L, 403, 403, 200, 404, 403, 403, 200)),
    "courses:author_lesson_delete": {
        "GET": (L, 403, 403, 405, 405, 403, 403, 405),
        "POST": (L, 403, 403, 200, 404, 403, 403, 200),
    },
    "courses:author_lesson_move": {
        "GET": (L, 403, 403, 405, 405, 403, 403, 405),
        "POST": (L, 403, 403, 302, 404, 403, 403, 302),
    },
    "courses:author_image_upload": {
        "GET": (L, 403, 403, 405, 405, 403, 403, 405),
        "POST": (L, 403, 403, 302, 404, 403, 403, 302),
    },
    # Runs: the course's instructors see the list and rosters; administrators change them.
    # Cancelling the owner's run without confirmed=yes only asks (200).
    "courses:author_runs": read_only((L, 403, 403, 200, 404, 403, 403, 200)),
    "courses:author_run_create": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "courses:author_run": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "courses:author_run_cancel": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 405),
        "POST": (L, 403, 403, 403, 403, 403, 403, 200),
    },
    "courses:author_run_roster": read_only((L, 403, 403, 200, 404, 403, 403, 200)),
    "courses:author_image_delete": {  # the confirmation page (an image no lesson shows)
        "GET": (L, 403, 403, 405, 405, 403, 403, 405),
        "POST": (L, 403, 403, 200, 404, 403, 403, 200),
    },
    "courses:author_products": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    "courses:author_product_create": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "courses:author_product": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "exams:settings": same((L, 403, 403, 200, 404, 403, 403, 200)),
    "exams:practical_stations": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "exams:practical_rubric": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "accounts:jurisdiction_create": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "accounts:jurisdiction_edit": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "accounts:jurisdiction_list": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    "accounts:licence_create": same((L, 200, 200, 403, 403, 403, 403, 403)),
    "accounts:licence_detail": read_only((L, 200, 404, 404, 404, 404, 404, 200)),
    "accounts:licence_document": read_only((L, 200, 404, 404, 404, 404, 404, 200)),
    "accounts:licence_list": read_only((L, 200, 200, 403, 403, 403, 403, 403)),
    "accounts:licence_queue": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    "accounts:licence_review": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "accounts:licence_revoke": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 405),
        "POST": (L, 403, 403, 403, 403, 403, 403, 400),
    },
    # The name change page is for a locked name: the others are sent to their profile.
    "accounts:name_change_create": same((L, 200, 302, 302, 302, 302, 302, 302)),
    "accounts:name_change_document": read_only((L, 200, 404, 404, 404, 404, 404, 200)),
    "accounts:name_change_queue": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    "accounts:name_change_review": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "accounts:name_change_withdraw": {
        "GET": (L, 405, 405, 405, 405, 405, 405, 405),
        "POST": (L, 302, 404, 404, 404, 404, 404, 404),
    },
    "accounts:profile_edit": same((L, 200, 200, 200, 200, 200, 200, 200)),
    "accounts:trainee_dashboard": read_only((L, 200, 200, 403, 403, 403, 403, 403)),
    "admin:login": {"GET": (L, 403, 403, 403, 403, 403, 403, 302), "POST": (L, 403, 403, 403, 403, 403, 403, 200)},
    "admin:logout": {"GET": (302, 302, 302, 302, 302, 302, 302, 405), "POST": (302, 302, 302, 302, 302, 302, 302, 200)},
    "api:openapi": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    "api:verify": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    # Without its parameters: 400 naming them.
    "api:verify_lookup": read_only((400, 400, 400, 400, 400, 400, 400, 400)),
    "certification:api_key_create": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 405),
        "POST": (L, 403, 403, 403, 403, 403, 403, 400),
    },
    "certification:api_key_detail": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    "certification:api_key_list": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    "certification:api_key_revoke": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 200),
        "POST": (L, 403, 403, 403, 403, 403, 403, 302),
    },
    "certification:badge": read_only((L, 200, 404, 403, 403, 403, 403, 200)),
    "certification:badge_image": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    "certification:credential": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    "certification:detail": read_only((L, 200, 404, 403, 403, 403, 403, 200)),
    "certification:list": read_only((L, 200, 200, 403, 403, 403, 403, 403)),
    "certification:pdf": read_only((L, 200, 404, 403, 403, 403, 403, 200)),
    "certification:staff_detail": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    "certification:staff_issue": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 405),
        "POST": (L, 403, 403, 403, 403, 403, 403, 302),
    },
    "certification:staff_queue": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    "certification:staff_reissue": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 405),
        "POST": (L, 403, 403, 403, 403, 403, 403, 400),
    },
    "certification:staff_resend_email": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 405),
        "POST": (L, 403, 403, 403, 403, 403, 403, 302),
    },
    "certification:staff_retry": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 405),
        "POST": (L, 403, 403, 403, 403, 403, 403, 302),
    },
    "certification:staff_revoke": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 405),
        "POST": (L, 403, 403, 403, 403, 403, 403, 400),
    },
    "certification:status_list": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    "certification:did_document": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    "certification:verify": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    "certification:verify_lookup": same((200, 200, 200, 200, 200, 200, 200, 200)),
    "core:audit_list": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    "courses:catalogue": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    "courses:my_courses": read_only((L, 200, 200, 403, 403, 403, 403, 403)),
    "courses:detail": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    # The course has an open run: a post that chooses none is the page again, asking (400).
    "courses:enrol": {"GET": (L, 405, 405, 403, 403, 403, 403, 403), "POST": (L, 302, 400, 403, 403, 403, 403, 403)},
    "courses:learn": read_only((L, 302, 404, 302, 404, 404, 404, 302)),  # to the lesson
    "courses:lesson": read_only((L, 200, 404, 200, 404, 404, 404, 200)),
    "courses:lesson_complete": {
        "GET": (L, 405, 405, 403, 403, 403, 403, 403),
        "POST": (L, 302, 404, 403, 403, 403, 403, 403),
    },
    "courses:lesson_image": read_only((L, 200, 404, 200, 404, 404, 404, 200)),
    "courses:logbook": read_only((L, 200, 404, 403, 403, 403, 403, 403)),
    # The trainee, the course's instructors and administrators; GET shows the progress
    # page (nothing is rendered yet), POST asks a worker for the PDF.
    "courses:logbook_pdf": {
        "GET": (L, 200, 404, 200, 404, 404, 404, 200),
        "POST": (L, 302, 404, 302, 404, 404, 404, 302),
    },
    "courses:logbook_pdf_status": read_only((L, 200, 404, 200, 404, 404, 404, 200)),
    "courses:consultation_edit": same((L, 302, 404, 302, 404, 404, 404, 404)),  # signed: sent back, locked
    "courses:consultation_resolve": same((L, 403, 403, 302, 404, 403, 403, 403)),
    "courses:photo_add": same((L, 200, 404, 200, 404, 404, 404, 404)),
    "courses:photo_delete": {
        "GET": (L, 200, 404, 200, 404, 404, 404, 200),
        "POST": (L, 302, 404, 404, 404, 404, 404, 404),  # the owner's deletes it
    },
    "courses:photo_file": {"GET": (404, 200, 404, 200, 404, 404, 404, 200), "POST": (405,) * 8},
    "courses:mentor_case": {
        "GET": (L, 200, 404, 403, 403, 403, 403, 403),
        "POST": (L, 405, 405, 403, 403, 403, 403, 403),
    },
    "courses:mentor_case_code": {
        "GET": (L, 405, 405, 403, 403, 403, 403, 403),
        "POST": (L, 302, 404, 403, 403, 403, 403, 403),
    },
    "courses:mentor_case_create": same((L, 200, 404, 403, 403, 403, 403, 403)),  # not enrolled: 404
    "courses:mentor_case_edit": same((L, 200, 404, 403, 403, 403, 403, 403)),
    "courses:mentor_case_send": {
        "GET": (L, 405, 405, 403, 403, 403, 403, 403),
        "POST": (L, 302, 404, 403, 403, 403, 403, 403),
    },
    "courses:mentor_case_sign_here": same((L, 200, 404, 403, 403, 403, 403, 403)),
    "courses:mentor_case_withdraw": {  # an empty POST lacks the confirmation: sent back
        "GET": (L, 405, 405, 403, 403, 403, 403, 403),
        "POST": (L, 302, 404, 403, 403, 403, 403, 403),
    },
    "courses:mentor_list": same((L, 200, 200, 403, 403, 403, 403, 403)),
    "courses:mentor_queue": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 200),
        "POST": (L, 403, 403, 403, 403, 403, 403, 405),
    },
    "courses:mentor_review": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "courses:review_create": same((L, 403, 403, 200, 404, 403, 403, 403)),  # an empty POST: the blank form
    "courses:review_detail": read_only((L, 200, 404, 200, 404, 200, 404, 200)),
    "courses:review_edit": same((L, 403, 403, 302, 404, 403, 403, 403)),  # signed: sent back, locked
    "courses:review_sign": {
        "GET": (L, 403, 403, 405, 405, 403, 403, 403),
        "POST": (L, 403, 403, 302, 404, 403, 403, 403),  # already signed: sent back, nothing changes
    },
    "courses:roster": read_only((L, 403, 403, 200, 404, 403, 403, 200)),
    "courses:session_amend": same((L, 403, 403, 200, 404, 403, 403, 403)),
    "courses:session_create": same((L, 403, 403, 200, 404, 403, 403, 403)),
    "courses:session_detail": read_only((L, 200, 404, 200, 404, 200, 404, 200)),
    "courses:session_edit": same((L, 403, 403, 302, 404, 403, 403, 403)),  # signed: sent back, locked
    "courses:session_list": read_only((L, 403, 403, 200, 404, 403, 403, 403)),
    "courses:session_reflect": {
        "GET": (L, 405, 405, 403, 403, 403, 403, 403),
        "POST": (L, 400, 404, 403, 403, 403, 403, 403),
    },
    "courses:session_sign": {
        "GET": (L, 403, 403, 405, 405, 403, 403, 403),
        "POST": (L, 403, 403, 302, 404, 403, 403, 403),
    },
    "courses:signoff": same((404, 404, 404, 404, 404, 404, 404, 404)),  # no account needed; the token decides
    "courses:withdraw": {  # the owner is asked first (core.confirm); not enrolled: sent back
        "GET": (L, 405, 405, 403, 403, 403, 403, 403),
        "POST": (L, 200, 302, 403, 403, 403, 403, 403),
    },
    "dashboard": {"GET": (L, 302, 302, 302, 302, 302, 302, 302), "POST": (405,) * 8},
    "exams:analysis": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    # An Angoff exercise judged by the examiner and the administrator: others 404.
    "exams:angoff": {"GET": (L, 403, 403, 403, 403, 200, 404, 200), "POST": (L, 403, 403, 403, 403, 302, 404, 302)},
    "exams:angoff_adopt": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 405),
        "POST": (L, 403, 403, 403, 403, 403, 403, 400),
    },
    "exams:angoff_close": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 405),
        "POST": (L, 403, 403, 403, 403, 403, 403, 302),
    },
    "exams:angoff_hofstee": {
        "GET": (L, 403, 403, 403, 403, 405, 405, 405),
        "POST": (L, 403, 403, 403, 403, 400, 404, 400),
    },
    "exams:assessment_manage": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "exams:analysis_csv": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    "exams:attempt": read_only((L, 200, 404, 403, 403, 403, 403, 403)),
    "exams:page": read_only((L, 200, 404, 403, 403, 403, 403, 403)),
    "exams:autosave": {"GET": (L, 405, 405, 403, 403, 403, 403, 403), "POST": (L, 200, 404, 403, 403, 403, 403, 403)},
    "exams:bank": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "exams:bank_export": read_only((L, 403, 403, 403, 403, 403, 403, 200)),
    "exams:home": read_only((L, 200, 404, 403, 403, 403, 403, 403)),
    # Sittings: the owner's attempt came from their booking (started, so not cancellable);
    # the assigned examiner invigilates the sitting, the other examiner does not.
    "exams:book": {"GET": (L, 405, 405, 403, 403, 403, 403, 403), "POST": (L, 302, 404, 403, 403, 403, 403, 403)},
    "exams:booking_cancel": {
        "GET": (L, 405, 405, 403, 403, 403, 403, 403),
        "POST": (L, 302, 404, 403, 403, 403, 403, 403),  # started: refused with a message
    },
    "exams:sittings_admin": same((L, 403, 403, 403, 403, 403, 403, 200)),  # an empty POST: the form again
    "exams:accommodations": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 200),
        "POST": (L, 403, 403, 403, 403, 403, 403, 400),
    },
    "exams:sitting_admin": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 200),
        "POST": (L, 403, 403, 403, 403, 403, 403, 400),
    },
    "exams:sitting_booking_cancel": {
        "GET": (L, 403, 403, 403, 403, 403, 403, 405),
        "POST": (L, 403, 403, 403, 403, 403, 403, 302),  # started: refused with a message
    },
    "exams:invigilate_list": read_only((L, 403, 403, 403, 403, 200, 200, 200)),
    "exams:invigilate": read_only((L, 403, 403, 403, 403, 200, 404, 200)),
    "exams:invigilate_act": {
        "GET": (L, 403, 403, 403, 403, 405, 405, 405),
        "POST": (L, 403, 403, 403, 403, 400, 404, 400),  # no action chosen
    },
    "exams:practical": read_only((L, 200, 404, 403, 403, 403, 403, 403)),
    "exams:practical_admin": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "exams:result": read_only((L, 302, 404, 403, 403, 403, 403, 403)),  # still open: back to the attempt
    "exams:save": {"GET": (L, 405, 405, 403, 403, 403, 403, 403), "POST": (L, 302, 404, 403, 403, 403, 403, 403)},
    "exams:score_station": same((L, 403, 403, 403, 403, 200, 404, 403)),  # the assigned examiner only
    "exams:standard_setting": same((L, 403, 403, 403, 403, 403, 403, 200)),
    "exams:standards": same((L, 403, 403, 403, 403, 403, 403, 200)),
    # GET: the confirmation (starting starts the clock); the owner's attempt is open: back to Resume.
    "exams:start": {"GET": (L, 302, 404, 403, 403, 403, 403, 403), "POST": (L, 302, 404, 403, 403, 403, 403, 403)},
    "exams:submit": {"GET": (L, 405, 405, 403, 403, 403, 403, 403), "POST": (L, 302, 404, 403, 403, 403, 403, 403)},
    "exams:summary": read_only((L, 200, 404, 403, 403, 403, 403, 403)),
    "healthz": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    "home": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    # What browsers, crawlers and researchers ask for at fixed addresses: public, read-only.
    "favicon_ico": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    "robots_txt": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    "security_txt": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
    "mfa_activate_totp": same((L, 302, 302, 302, 302, 302, 302, 302)),
    "mfa_authenticate": same((L, 302, 302, 302, 302, 302, 302, 302)),
    "mfa_deactivate_totp": same(
        (L, 404, 404, 404, 404, 302, 302, 302)
    ),  # asks for the password again; trainees have no app to remove
    "mfa_download_recovery_codes": same((L, 404, 404, 404, 404, 404, 404, 404)),
    "mfa_generate_recovery_codes": same((L, 302, 302, 302, 302, 302, 302, 302)),
    "mfa_index": {"GET": (L, 200, 200, 200, 200, 200, 200, 200), "POST": (L, 405, 405, 405, 405, 405, 405, 405)},
    "mfa_reauthenticate": same((L, 302, 302, 302, 302, 200, 200, 200)),
    "mfa_view_recovery_codes": {
        "GET": (L, 404, 404, 404, 404, 404, 404, 404),
        "POST": (L, 405, 405, 405, 405, 405, 405, 405),
    },
    "readyz": read_only((200, 200, 200, 200, 200, 200, 200, 200)),
}

# The Django admin: everyone but administrators is sent to its sign-in page (GET and
# POST); for administrators, (GET, POST). 403 where the admin is read-only or records
# are made by the app's own services; 302 where the world has no such object.
ADMIN_EXPECTED: dict[str, tuple[int, int]] = {
    "admin:account_emailaddress_add": (200, 200),
    "admin:account_emailaddress_change": (200, 200),
    "admin:account_emailaddress_changelist": (200, 200),
    "admin:account_emailaddress_delete": (200, 200),
    "admin:account_emailaddress_history": (200, 200),
    "admin:accounts_jurisdiction_add": (200, 200),
    "admin:accounts_jurisdiction_change": (200, 200),
    "admin:accounts_jurisdiction_changelist": (200, 200),
    "admin:accounts_jurisdiction_delete": (200, 200),
    "admin:accounts_jurisdiction_history": (200, 200),
    "admin:accounts_licence_add": (403, 403),
    "admin:accounts_licence_change": (200, 403),
    "admin:accounts_licence_changelist": (200, 200),
    "admin:accounts_licence_delete": (403, 403),
    "admin:accounts_licence_history": (200, 200),
    "admin:accounts_user_add": (200, 200),
    "admin:accounts_user_change": (200, 200),
    "admin:accounts_user_changelist": (200, 200),
    "admin:accounts_user_delete": (200, 200),
    "admin:accounts_user_history": (200, 200),
    "admin:app_list": (200, 200),
    "admin:auth_group_add": (200, 200),
    "admin:auth_user_password_change": (200, 200),
    "admin:auth_group_change": (302, 302),
    "admin:auth_group_changelist": (200, 200),
    "admin:auth_group_delete": (302, 302),
    "admin:auth_group_history": (302, 302),
    "admin:autocomplete": (403, 405),
    "admin:certification_award_add": (403, 403),
    "admin:certification_award_change": (200, 403),
    "admin:certification_award_changelist": (200, 200),
    "admin:certification_award_delete": (403, 403),
    "admin:certification_award_history": (200, 200),
    "admin:certification_certificate_add": (403, 403),
    "admin:certification_certificate_change": (200, 403),
    "admin:certification_certificate_changelist": (200, 200),
    "admin:certification_certificate_delete": (403, 403),
    "admin:certification_certificate_history": (200, 200),
    "admin:certification_statuslist_add": (403, 403),
    "admin:certification_statuslist_change": (200, 403),
    "admin:certification_statuslist_changelist": (200, 200),
    "admin:certification_statuslist_delete": (403, 403),
    "admin:certification_statuslist_history": (200, 200),
    "admin:core_auditevent_add": (403, 403),
    "admin:core_auditevent_change": (200, 403),
    "admin:core_auditevent_changelist": (200, 200),
    "admin:core_auditevent_delete": (403, 403),
    "admin:core_auditevent_history": (200, 200),
    "admin:courses_course_add": (200, 200),
    "admin:courses_course_change": (200, 200),
    "admin:courses_course_changelist": (200, 200),
    "admin:courses_course_delete": (200, 200),
    "admin:courses_course_history": (200, 200),
    "admin:courses_injectionsession_add": (403, 403),
    "admin:courses_injectionsession_change": (200, 403),
    "admin:courses_injectionsession_changelist": (200, 200),
    "admin:courses_injectionsession_delete": (403, 403),
    "admin:courses_injectionsession_history": (200, 200),
    "admin:courses_lesson_add": (200, 200),
    "admin:courses_lesson_change": (200, 200),
    "admin:courses_lesson_changelist": (200, 200),
    "admin:courses_lesson_delete": (200, 200),
    "admin:courses_lesson_history": (200, 200),
    "admin:courses_product_add": (200, 200),
    "admin:courses_product_change": (200, 200),
    "admin:courses_product_changelist": (200, 200),
    "admin:courses_product_delete": (403, 403),  # make a product inactive instead
    "admin:courses_product_history": (200, 200),
    "admin:courses_lessonimage_add": (200, 200),
    "admin:courses_lessonimage_change": (200, 403),
    "admin:courses_lessonimage_changelist": (200, 200),
    "admin:courses_lessonimage_delete": (200, 200),
    "admin:courses_lessonimage_history": (200, 200),
    "admin:exams_assessment_add": (403, 403),
    "admin:exams_assessment_change": (200, 403),
    "admin:exams_assessment_changelist": (200, 200),
    "admin:exams_assessment_delete": (403, 403),
    "admin:exams_assessment_history": (200, 200),
    "admin:exams_attempt_add": (403, 403),
    "admin:exams_attempt_change": (200, 403),
    "admin:exams_attempt_changelist": (200, 200),
    "admin:exams_attempt_delete": (403, 403),
    "admin:exams_attempt_history": (200, 200),
    "admin:exams_caseset_add": (200, 200),
    "admin:exams_caseset_change": (302, 302),
    "admin:exams_caseset_changelist": (200, 200),
    "admin:exams_caseset_delete": (302, 302),
    "admin:exams_caseset_history": (302, 302),
    "admin:exams_examsettings_add": (200, 200),
    "admin:exams_examsettings_change": (200, 200),
    "admin:exams_examsettings_changelist": (200, 200),
    "admin:exams_examsettings_delete": (200, 200),
    "admin:exams_examsettings_history": (200, 200),
    "admin:exams_practicalexam_add": (200, 200),
    "admin:exams_practicalexam_change": (200, 200),
    "admin:exams_practicalexam_changelist": (200, 200),
    "admin:exams_practicalexam_delete": (200, 200),
    "admin:exams_practicalexam_history": (200, 200),
    "admin:exams_question_add": (200, 200),
    "admin:exams_question_change": (200, 200),
    "admin:exams_question_changelist": (200, 200),
    "admin:exams_question_delete": (200, 200),
    "admin:exams_question_history": (200, 200),
    "admin:exams_rubricversion_add": (200, 200),
    "admin:exams_rubricversion_change": (200, 403),
    "admin:exams_rubricversion_changelist": (200, 200),
    "admin:exams_rubricversion_delete": (403, 403),
    "admin:exams_rubricversion_history": (200, 200),
    "admin:exams_stationscore_add": (403, 403),
    "admin:exams_stationscore_change": (302, 403),
    "admin:exams_stationscore_changelist": (200, 200),
    "admin:exams_stationscore_delete": (403, 403),
    "admin:exams_stationscore_history": (302, 302),
    "admin:index": (200, 200),
    "admin:jsi18n": (200, 405),
    "admin:mfa_authenticator_add": (200, 200),
    "admin:mfa_authenticator_change": (200, 200),
    "admin:mfa_authenticator_changelist": (200, 200),
    "admin:mfa_authenticator_delete": (200, 200),
    "admin:mfa_authenticator_history": (200, 200),
    "admin:password_change": (200, 200),
    "admin:password_change_done": (200, 405),
    "admin:view_on_site": (404, 404),
}
EXPECTED.update(
    {name: {"GET": (AL,) * 7 + (get,), "POST": (AL,) * 7 + (post,)} for name, (get, post) in ADMIN_EXPECTED.items()}
)
EXPECTED.update(
    {
        # Signed-in users who are not administrators are refused the admin's own sign-in.
        "admin:login": {"GET": (L, 403, 403, 403, 403, 403, 403, 302), "POST": (L, 403, 403, 403, 403, 403, 403, 200)},
        "admin:logout": {"GET": (302,) * 7 + (405,), "POST": (302,) * 7 + (200,)},
    }
)

# (url name, method, role) whose request may change the database; every other request
# of the matrix must leave it as it was.
WRITES: set[tuple[str, str, str]] = {
    ("courses:lesson", "GET", "owner"),  # remembers the last lesson opened
    ("courses:withdraw", "POST", "owner"),
    ("courses:photo_delete", "POST", "owner"),  # the trainee deletes a photograph of the case
    ("exams:autosave", "POST", "owner"),
    ("exams:submit", "POST", "owner"),
    ("exams:book", "POST", "owner"),  # books the open sitting
    ("courses:mentor_case_send", "POST", "owner"),  # emails the mentor a link
    ("courses:mentor_case_code", "POST", "owner"),  # emails the mentor a code
    ("accounts:name_change_withdraw", "POST", "owner"),  # the trainee withdraws their own request
    ("certification:api_key_revoke", "POST", "administrator"),
}

# The minimal body a POST carries where an empty one would be refused before the
# object is looked up: (data, content type).
POST_BODIES = {
    "exams:autosave": ('{"position": 1, "flagged": false}', "application/json"),
}


# The world ------------------------------------------------------------------------------


def url_names() -> list[str]:
    """Every named URL pattern of the project, with its namespace."""
    names: list[str] = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(pattern.url_patterns, f"{namespace}:{inner}" if namespace and inner else inner or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return sorted(set(names))


def _admin_kwargs(name: str, objects: dict) -> dict | None:
    """Arguments for a Django admin URL: the world's object of that model, or a
    made-up id for models the world has none of."""
    from django.contrib import admin
    from django.contrib.contenttypes.models import ContentType

    short = name.removeprefix("admin:")
    if short == "auth_user_password_change":
        return {"id": str(objects["accounts.User"].pk)}
    if short == "app_list":
        return {"app_label": "accounts"}
    if short == "view_on_site":
        licence = objects["licence"]
        return {"content_type_id": ContentType.objects.get_for_model(licence).pk, "object_id": str(licence.pk)}
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if short.startswith(prefix) and short.removeprefix(prefix) in ("change", "delete", "history"):
            found = objects.get(model._meta.label)
            return {"object_id": str(found.pk) if found is not None else "1"}
    return None


def _signed_review(session, instructor):
    from django.utils import timezone

    from courses.handson import review_services

    data = {"reviewed_on": timezone.localdate(), "timing_note": "", "outcome": "full", "symmetry": "symmetrical",
            "lot_number": "", "management": ""}  # fmt: skip
    review = review_services.review_save(session_id=session.pk, instructor=instructor, data=data, topup={}, events=[])
    return review_services.review_sign(review_id=review.pk, instructor=instructor)


@pytest.fixture
def world(trainee, other_trainee, instructor, examiner, administrator):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from accounts.tests.factories import UserFactory, add_totp, png_bytes
    from certification.services.api_keys import api_key_create
    from certification.tests.factories import certificate_issued
    from core.models import AuditEvent
    from courses.handson.services import session_sign as sign_session
    from courses.services import lesson_image_add
    from courses.tests.factories import (
        CourseFactory,
        CourseRunFactory,
        EnrolmentFactory,
        MentorFactory,
        course_with_lessons,
    )
    from exams.models import Assessment, PracticalExam
    from exams.services.attempts import attempt_start
    from exams.standards.services import angoff_exercise_open
    from exams.tests.factories import exam_for
    from tests.support.consultation import add_photo, record_consultation
    from tests.support.handson import record
    from tests.support.mentors import draft_case
    from tests.support.practical import make_station

    other_instructor = UserFactory(email="other-instructor@example.com", is_trainee=False, is_instructor=True)
    other_examiner = add_totp(UserFactory(email="other-examiner@example.com", is_trainee=False, is_examiner=True))
    CourseFactory(instructors=[other_instructor])
    course = course_with_lessons(1, instructors=[instructor])
    lesson = course.modules.first().lessons.first()
    run = CourseRunFactory(course=course)
    enrolment = EnrolmentFactory(trainee=trainee, course=course, run=run)
    verified = LicenceFactory(holder=trainee, verified=True)
    session = record(enrolment, instructor, sign=False)
    record_consultation(session, trainee)  # with the consent to photographs
    photo = add_photo(session, trainee)
    sign_session(session_id=session.pk, instructor=instructor)
    review = _signed_review(record(enrolment, instructor, performed_on=timezone.localdate() - timedelta(days=14),
                                   model_code="M-0148"), instructor)  # fmt: skip
    enrolment.completions.create(lesson=lesson)
    exam_for(course)
    attempt = attempt_start(trainee=trainee, enrolment=enrolment)
    from exams.models import Booking, Sitting

    sitting = Sitting.objects.create(
        course=course, opens_at=timezone.now() - timedelta(hours=1), closes_at=timezone.now() + timedelta(hours=3),
        venue="Hall", capacity=10, created_by=administrator,
    )  # fmt: skip
    sitting.invigilators.set([examiner])
    booking = Booking.objects.create(
        sitting=sitting, enrolment=enrolment, booked_at=timezone.now(), booked_by=trainee, attempt=attempt
    )
    station = make_station(PracticalExam.objects.create(course=course))
    assessment = Assessment.objects.create(enrolment=enrolment, number=1, scheduled_at=timezone.now(), place="Lab")
    assessment.rubrics.set(station.versions.all())
    assessment.examiners.set([examiner])
    exercise = angoff_exercise_open(
        course=course, title="Angoff", judges=[examiner, administrator], actor=administrator
    )
    image = lesson_image_add(course=course, upload=SimpleUploadedFile("a.png", png_bytes()), alt_text="Procerus")
    certificate = certificate_issued(enrolment, licence=verified, attempt=attempt, assessment=assessment)
    licence = LicenceFactory(holder=trainee)
    name_change = NameChangeRequestFactory(user=trainee, with_document=True)
    jurisdiction = JurisdictionFactory()
    mentor = MentorFactory(trainee=trainee, verified=True)
    mentor_waiting = MentorFactory(trainee=trainee)
    mentor_case = draft_case(enrolment, mentor, model_code="M-0300")
    api_key, _secret = api_key_create(organisation="Org", contact_email="org@example.com", actor=administrator)
    users = dict(
        zip(
            ROLES,
            (None, trainee, other_trainee, instructor, other_instructor, examiner, other_examiner, administrator),
            strict=True,
        )
    )
    rubric = station.versions.get()
    by_session = ("session_detail", "session_edit", "session_sign", "session_amend", "session_reflect",
                  "consultation_edit", "consultation_resolve", "photo_add")  # fmt: skip
    by_attempt = ("attempt", "save", "autosave", "summary", "submit", "result")
    by_mentor_case = ("mentor_case", "mentor_case_edit", "mentor_case_send", "mentor_case_code",
                      "mentor_case_sign_here", "mentor_case_withdraw")  # fmt: skip
    by_certificate = ("detail", "pdf", "badge", "staff_detail", "staff_revoke", "staff_reissue", "staff_retry",
                      "staff_resend_email")  # fmt: skip
    by_course = {
        "courses": ("detail", "enrol", "withdraw", "learn", "roster", "session_list", "session_create", "logbook",
                    "mentor_case_create"),
        "exams": ("home", "start", "analysis", "analysis_csv", "bank", "practical", "practical_admin",
                  "sittings_admin", "accommodations", "standards", "settings", "practical_stations"),
    }  # fmt: skip
    kwargs = {
        **{f"accounts:{n}": {"pk": licence.pk} for n in ("licence_detail", "licence_document", "licence_review")},
        "accounts:licence_revoke": {"pk": licence.pk},
        **{
            f"accounts:{n}": {"pk": name_change.pk}
            for n in ("name_change_withdraw", "name_change_document", "name_change_review")
        },  # fmt: skip
        "accounts:jurisdiction_edit": {"pk": jurisdiction.pk},
        **{f"{app}:{n}": {"code": course.code} for app, names in by_course.items() for n in names},
        "courses:lesson": {"code": course.code, "lesson_id": lesson.pk},
        "courses:lesson_complete": {"code": course.code, "lesson_id": lesson.pk},
        "courses:lesson_image": {"code": course.code, "image_id": image.pk},
        "courses:author_image_delete": {"code": course.code, "image_id": image.pk},
        "exams:bank_export": {"code": course.code, "fmt": "json"},
        "exams:standard_setting": {"station_id": station.pk},
        "exams:book": {"code": course.code, "pk": sitting.pk},
        "exams:booking_cancel": {"code": course.code, "pk": booking.pk},
        **{f"exams:{n}": {"pk": sitting.pk} for n in ("sitting_admin", "invigilate", "invigilate_act")},
        "exams:sitting_booking_cancel": {"pk": sitting.pk, "booking": booking.pk},
        "exams:practical_rubric": {"station_id": station.pk},
        **{
            f"courses:{n}": {"code": course.code}
            for n in ("author_course", "author_module_create", "author_image_upload")
        },
        **{
            f"courses:{n}": {"code": course.code, "module_id": lesson.module_id}
            for n in ("author_module", "author_module_delete", "author_module_move", "author_lesson_create")
        },
        **{
            f"courses:{n}": {"code": course.code, "lesson_id": lesson.pk}
            for n in ("author_lesson", "author_lesson_delete", "author_lesson_move")
        },
        "courses:author_product": {"pk": session.product.pk},
        "courses:author_runs": {"code": course.code},
        "courses:author_run_create": {"code": course.code},
        **{
            f"courses:{n}": {"code": course.code, "run_id": run.pk}
            for n in ("author_run", "author_run_cancel", "author_run_roster")
        },
        "exams:score_station": {"pk": assessment.pk, "rubric_id": rubric.pk},
        "exams:assessment_manage": {"pk": assessment.pk},
        **{f"exams:{n}": {"pk": exercise.pk} for n in ("angoff", "angoff_hofstee", "angoff_close", "angoff_adopt")},
        "certification:verify": {"code": certificate.code},
        "certification:status_list": {"number": certificate.status_list.number, "purpose": "revocation"},
        "certification:credential": {"code": certificate.code},
        "api:verify": {"code": certificate.code},
        "certification:badge_image": {"code": course.code, "name": "badge.png"},
        **{f"certification:{n}": {"pk": api_key.pk} for n in ("api_key_detail", "api_key_revoke")},
        **{f"certification:{n}": {"pk": certificate.pk} for n in by_certificate},
        **{f"courses:{n}": {"pk": session.pk} for n in by_session},
        **{f"courses:{n}": {"pk": enrolment.pk} for n in ("logbook_pdf", "logbook_pdf_status")},
        **{f"courses:{n}": {"pk": photo.pk} for n in ("photo_file", "photo_delete")},
        "courses:review_create": {"pk": session.pk},
        **{f"courses:{n}": {"pk": review.pk} for n in ("review_detail", "review_edit", "review_sign")},
        **{f"exams:{n}": {"pk": attempt.pk} for n in by_attempt},
        "exams:page": {"pk": attempt.pk, "page": 2},
        **{f"courses:{n}": {"pk": mentor_case.pk} for n in by_mentor_case},
        "courses:mentor_review": {"pk": mentor_waiting.pk},
        # A link's token that matches no request (a used or valid one: test_signoff_links).
        "courses:signoff": {"token": "not-a-token"},
        # allauth's keyed links, with keys that match nothing.
        "account_confirm_email": {"key": "not-a-key"},
        "account_reset_password_from_key": {"uidb36": "1", "key": "not-a-key"},
    }
    objects = {
        "licence": licence,
        "accounts.User": trainee,
        "accounts.Licence": licence,
        "accounts.Jurisdiction": jurisdiction,
        "courses.Course": course,
        "courses.Lesson": lesson,
        "courses.LessonImage": image,
        "courses.InjectionSession": session,
        "courses.Review": review,
        "courses.Product": session.product,
        "exams.Question": course.questions.first(),
        "exams.ExamSettings": course.exam_settings if hasattr(course, "exam_settings") else None,
        "exams.Attempt": attempt,
        "exams.PracticalExam": station.practical,
        "exams.RubricVersion": rubric,
        "exams.Assessment": assessment,
        "certification.Award": certificate.award,
        "certification.Certificate": certificate,
        "certification.StatusList": certificate.status_list,
        "certification.ApiKey": api_key,
        "core.AuditEvent": AuditEvent.objects.order_by("pk").first(),  # signing the session wrote some
        "account.EmailAddress": trainee.emailaddress_set.first(),
        "mfa.Authenticator": examiner.authenticator_set.first(),
    }
    for name in url_names():
        if name.startswith("admin:"):
            found = _admin_kwargs(name, objects)
            if found is not None:
                kwargs[name] = found
    return users, kwargs


# Fingerprint ----------------------------------------------------------------------------

FINGERPRINT_APPS = ("accounts", "courses", "exams", "certification", "core", "account", "mfa", "auth")


def _tables() -> list:
    models = []
    for label in FINGERPRINT_APPS:
        models += apps.get_app_config(label).get_models(include_auto_created=True)
    return models


def fingerprint() -> str:
    """A digest of every row of the project's tables (sessions and the like excepted):
    one query on PostgreSQL, a query per table elsewhere."""
    models = _tables()
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        parts = ", ".join(
            f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quote(m._meta.db_table)} t)"  # noqa: S608
            for m in models
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {parts}")  # table names from the models, not from input
            return hashlib.sha256(repr(cursor.fetchone()).encode()).hexdigest()
    digest = hashlib.sha256()
    for model in models:
        columns = [f.attname for f in model._meta.concrete_fields]
        digest.update(repr(list(model._base_manager.order_by("pk").values_list(*columns))).encode())
    return digest.hexdigest()


# The tests ------------------------------------------------------------------------------


def _outcome(response) -> object:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("account_login")):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
    return response.status_code


@pytest.mark.parametrize("name", url_names())
def test_access_matches_the_table(client, world, name, settings):
    users, kwargs = world
    url = reverse(name, kwargs=kwargs.get(name))
    observed = {}
    changed = []
    for method in ("GET", "POST"):
        row = []
        for role in ROLES:
            if users[role] is None:
                client.logout()
            else:
                client.force_login(users[role], backend=settings.AUTHENTICATION_BACKENDS[0])
            before = fingerprint()
            if method == "POST" and name in POST_BODIES:
                body, content_type = POST_BODIES[name]
                response = client.post(url, body, content_type=content_type)
            else:
                response = getattr(client, method.lower())(url)
            row.append(_outcome(response))
            if (name, method, role) not in WRITES and fingerprint() != before:
                changed.append((method, role))
        observed[method] = tuple(row)
    record = f'"{name}": {{"GET": {observed["GET"]!r}, "POST": {observed["POST"]!r}}},'
    assert name in EXPECTED, f"{name} has no entry in EXPECTED; observed:\n{record}"
    assert observed == EXPECTED[name], f"{name}: observed\n{record}"
    assert not changed, f"{name}: these requests changed the database: {changed}"


def test_the_table_has_no_entry_for_a_url_that_is_gone():
    assert set(EXPECTED) - set(url_names()) == set()


@pytest.mark.parametrize(
    ("model", "names"),
    [
        ("accounts.Licence", ["accounts:licence_detail", "accounts:licence_document", "accounts:licence_review",
                              "accounts:licence_revoke"]),
        ("accounts.NameChangeRequest", ["accounts:name_change_withdraw", "accounts:name_change_document",
                                        "accounts:name_change_review"]),
        ("exams.Attempt", ["exams:attempt", "exams:page", "exams:save", "exams:autosave", "exams:summary",
                           "exams:submit", "exams:result"]),
        ("exams.Assessment", ["exams:score_station"]),
        ("certification.Certificate", ["certification:detail", "certification:pdf", "certification:badge",
                                       "certification:staff_detail", "certification:staff_revoke",
                                       "certification:staff_reissue", "certification:staff_retry",
                                       "certification:staff_resend_email"]),
        ("certification.ApiKey", ["certification:api_key_detail", "certification:api_key_revoke"]),
    ],
)  # fmt: skip
def test_ids_in_urls_are_random_uuids_not_sequential_integers(model, names):
    """Licences, attempts, assessments and certificates are named in URLs by a random
    UUID: one id says nothing about the next."""
    import uuid

    from django.db import models
    from django.urls.converters import UUIDConverter

    model = apps.get_model(model)
    pk = model._meta.pk
    assert isinstance(pk, models.UUIDField)
    assert pk.default is uuid.uuid4
    patterns = {}

    def walk(resolvers, namespace):
        for pattern in resolvers:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                patterns[f"{namespace}:{pattern.name}" if namespace else pattern.name] = pattern

    walk(get_resolver().url_patterns, None)
    for name in names:
        converters = patterns[name].pattern.converters
        assert isinstance(converters["pk"], UUIDConverter), name
    ids = [model._meta.pk.default() for _ in range(3)]
    assert len({i.int for i in ids}) == 3
    assert all(i.version == 4 for i in ids)


def test_post_to_a_licence_of_another_trainee_changes_nothing(client_for, trainee, other_trainee):
    licence = LicenceFactory(holder=trainee)
    response = client_for(other_trainee).post(
        reverse("accounts:licence_review", args=[licence.pk]), {"decision": "verify"}
    )
    assert response.status_code == 403
    licence.refresh_from_db()
    assert licence.status == "submitted"
