"""Demo mentors (called from courses.demo.seed): the demo trainee's verified mentor with a
case signed through the emailed link, and a second mentor awaiting verification in the
staff queue. Everything goes through the services, as in the app."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from courses.models import COMPETENCIES, CaseType, Enrolment, Independence, Mentor, Product, SignOffRequest

from . import mentor_services

GLABELLA = {
    "procerus": 4,
    "corrugator_medial_r": 4,
    "corrugator_medial_l": 4,
    "corrugator_lateral_r": 4,
    "corrugator_lateral_l": 4,
}


def seed(*, enrolment: Enrolment) -> None:
    trainee = enrolment.trainee
    if Mentor.objects.filter(trainee=trainee).exists():
        return
    admin = User.objects.get(email="admin@glabella.test")
    mentor = mentor_services.mentor_add(
        trainee=trainee,
        data={
            "full_name": "Dr Priya Raman", "email": "priya.raman@mentor.glabella.test",
            "profession": Mentor.Profession.DOCTOR, "register": Mentor.Register.GMC, "register_other": "",
            "registration_number": "7012345", "independent_prescriber": True, "years_injecting": 11,
        },
    )  # fmt: skip
    mentor = mentor_services.mentor_verify(mentor_id=mentor.pk, actor=admin)
    mentor_services.mentor_add(
        trainee=trainee,
        data={
            "full_name": "Siobhan Kerr", "email": "siobhan.kerr@mentor.glabella.test",
            "profession": Mentor.Profession.NURSE, "register": Mentor.Register.NMC, "register_other": "",
            "registration_number": "09A1234E", "independent_prescriber": True, "years_injecting": 6,
        },
    )  # fmt: skip

    today = timezone.localdate()
    case = mentor_services.mentor_case_save_draft(
        enrolment=enrolment,
        trainee=trainee,
        mentor=mentor,
        data={
            "performed_on": today - datetime.timedelta(days=6),
            "case_type": CaseType.SUPERVISED,
            "clinic": "Raman Skin Clinic, Leeds",
            "model_code": "M-0151",
            "consent_confirmed": True,
            "product": Product.objects.get(code="onabotulinumtoxinA"),
            "vial_units": Decimal(100),
            "diluent_ml": Decimal("2.5"),
            "lot_number": "C5190A2",
            "lot_expiry": today + datetime.timedelta(days=200),
            "complications": "",
            "complication_management": "",
        },
        units_by_site={k: Decimal(v) for k, v in GLABELLA.items()},
        acknowledged=True,
    )
    _request, token = mentor_services.signoff_request_send(session_id=case.pk, trainee=trainee)
    mentor_services.signoff_decide_by_link(
        token=token,
        decision=SignOffRequest.Outcome.SIGNED,
        ratings={code: Independence.COMPETENT for code, _label in COMPETENCIES},
        feedback={
            "overall_independence": Independence.COMPETENT,
            "went_well": "Careful palpation of the corrugators; clear aftercare advice.",
            "to_improve": "Slow the injection at the lateral corrugator points.",
            "agreed_actions": "",
        },
    )
