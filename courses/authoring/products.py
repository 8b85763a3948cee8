"""The product table and its label references, edited by administrators in Glabella's
own pages (it was the Django admin). The figures drive the dose warnings of every later
session: every change is audited with the figures it now holds
(courses.handson.services.product_record_change). Products are never deleted here; a
product no longer used is made inactive."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from core.permissions import role_required
from courses.handson import services as handson_services
from courses.models import Product, ProductAreaReference


class ProductForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No hidden "initial-" copies of the JSON fields (they inherit aria-describedby,
        # which HTML forbids on a hidden input).
        for field in self.fields.values():
            field.show_hidden_initial = False

    class Meta:
        model = Product
        fields = [
            "code", "generic_name", "brand_names", "unit_label", "vial_sizes", "reconstitution_presets",
            "cap_units", "cap_citation", "active", "position",
        ]  # fmt: skip
        widgets = {
            "vial_sizes": forms.TextInput(),
            "reconstitution_presets": forms.Textarea(attrs={"rows": 3}),
            "cap_citation": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "vial_sizes": gettext_lazy("Units per vial, e.g. [50, 100]."),
            "reconstitution_presets": gettext_lazy('e.g. [{"vial_units": 100, "diluent_ml": "2.5"}]'),
        }


ReferenceFormSet = forms.inlineformset_factory(
    Product,
    ProductAreaReference,
    fields=["area_code", "units", "sites", "given_with", "citation"],
    widgets={"citation": forms.Textarea(attrs={"rows": 2})},
    extra=1,
    can_delete=True,
)


@role_required("administrator")
@require_safe
def product_list(request):
    products = Product.objects.prefetch_related("references")
    return render(request, "courses/authoring/product_list.html", {"products": products})


@role_required("administrator")
@require_http_methods(["GET", "HEAD", "POST"])
def product_edit(request, pk=None):
    if pk is None:
        product = Product()
    else:
        product = Product.objects.filter(pk=pk).first()
        if product is None:
            raise Http404
    form = ProductForm(request.POST or None, instance=product)
    formset = ReferenceFormSet(request.POST or None, instance=product, prefix="refs")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        created = product.pk is None
        with transaction.atomic():
            saved = form.save()
            formset.instance = saved
            formset.save()
            handson_services.product_record_change(product=saved, actor=request.user, created=created)
        messages.success(request, _("Saved %(product)s.") % {"product": saved})
        return redirect("courses:author_products")
    return render(
        request, "courses/authoring/product_form.html", {"form": form, "formset": formset, "product": product}
    )
