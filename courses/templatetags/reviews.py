"""``{% review_section session %}``: the case page's review visit section, so the session
page's view needs no change to show it."""

from django import template

from courses.handson import review_selectors
from courses.selectors import course_is_taught_by

register = template.Library()


@register.inclusion_tag("courses/handson/reviews/_section.html", takes_context=True)
def review_section(context, session):
    user = context["request"].user
    review = review_selectors.review_of_case(session)
    reportable = review is not None and review_selectors.review_is_reportable(review)
    return {
        "request": context["request"],
        "session": session,
        "review": review,
        "reportable": reportable,
        "routes": review_selectors.reporting_routes_for(session.enrolment.trainee) if reportable else [],
        "can_record": user.is_instructor and course_is_taught_by(session.enrolment.course, user),
        "window": review_selectors.WINDOW_DAYS,
    }
