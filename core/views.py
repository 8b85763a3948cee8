from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .forms import AuditFilterForm
from .permissions import role_required
from .selectors import audit_actions, audit_event_list


@require_safe
def home(request):
    return render(request, "core/home.html")


@role_required("administrator")
@require_safe
def audit_list(request):
    form = AuditFilterForm(request.GET or None, actions=audit_actions())
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list(**{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
