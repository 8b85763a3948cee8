from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def face_chart(context, chart: dict):
    """Render the face chart partial with a context from courses.handson.face_sites.chart_context()."""
    return render_to_string("courses/handson/face_chart.html", chart, request=context.get("request"))
