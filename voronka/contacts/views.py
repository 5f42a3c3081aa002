"""Contact and company screens: list, detail, create, edit, delete; notes and files."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from voronka.activities.services import attachment_create, note_create
from voronka.contacts import selectors, services
from voronka.contacts.forms import (
    AttachmentForm,
    CompanyForm,
    ContactForm,
    ListFilterForm,
    NoteForm,
)

KINDS = {
    "contact": {
        "form": ContactForm,
        "get": selectors.contact_get,
        "list": selectors.contact_list,
        "detail": selectors.contact_detail,
        "create": services.contact_create,
        "update": services.contact_update,
        "delete": services.contact_delete,
        "list_url": "contacts:contact_list",
    },
    "company": {
        "form": CompanyForm,
        "get": selectors.company_get,
        "list": selectors.company_list,
        "detail": selectors.company_detail,
        "create": services.company_create,
        "update": services.company_update,
        "delete": services.company_delete,
        "list_url": "contacts:company_list",
    },
}


def _list(request, kind):
    spec = KINDS[kind]
    filter_form = ListFilterForm(request.GET or None, user=request.user)
    qs = spec["list"](request.user, **filter_form.filters())
    page = Paginator(qs, settings.VORONKA_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "kind": kind,
        "filter_form": filter_form,
        "page": page,
        "rows": list(page.object_list),
        "query": query.urlencode(),
    }
    template = f"contacts/{kind}_list.html"
    if request.htmx and request.htmx.target == "list-results":
        template = "contacts/_list_results.html"
    return render(request, template, context)


def _detail(request, kind, pk, note_form=None, file_form=None, status=200):
    spec = KINDS[kind]
    record = spec["get"](request.user, pk)
    context = spec["detail"](request.user, record)
    context.update(
        kind=kind,
        note_form=note_form or NoteForm(),
        file_form=file_form or AttachmentForm(),
    )
    return render(request, f"contacts/{kind}_detail.html", context, status=status)


def _edit(request, kind, pk=None):
    spec = KINDS[kind]
    record = spec["get"](request.user, pk) if pk else None
    title = str(record) if record else ""
    form = spec["form"](request.POST or None, instance=record, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        if record is None:
            record = spec["create"](by=request.user, **data)
            messages.success(request, _("Saved."))
        else:
            spec["update"](record, by=request.user, **data)
            messages.success(request, _("Saved."))
        return redirect(record.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "contacts/form.html",
        {"form": form, "kind": kind, "record": record, "title": title},
        status=status,
    )


def _delete(request, kind, pk):
    spec = KINDS[kind]
    record = spec["get"](request.user, pk)
    spec["delete"](record, by=request.user)
    messages.success(request, _("Moved to the recycle bin: %(name)s") % {"name": record})
    return redirect(spec["list_url"])


def _note(request, kind, pk):
    record = KINDS[kind]["get"](request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, kind, pk, note_form=form, status=400)
    note_create(by=request.user, body=form.cleaned_data["body"], **{kind: record})
    return redirect(f"{record.get_absolute_url()}#notes")


def _file(request, kind, pk):
    record = KINDS[kind]["get"](request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, kind, pk, file_form=form, status=400)
    attachment_create(by=request.user, upload=form.cleaned_data["upload"], **{kind: record})
    return redirect(f"{record.get_absolute_url()}#files")


# ---------------------------------------------------------------- contacts


@require_GET
@login_required
def contact_list(request):
    return _list(request, "contact")


@require_GET
@login_required
def contact_detail(request, pk):
    return _detail(request, "contact", pk)


@require_http_methods(["GET", "POST"])
@login_required
def contact_create(request):
    return _edit(request, "contact")


@require_http_methods(["GET", "POST"])
@login_required
def contact_edit(request, pk):
    return _edit(request, "contact", pk)


@require_POST
@login_required
def contact_delete(request, pk):
    return _delete(request, "contact", pk)


@require_POST
@login_required
def contact_note(request, pk):
    return _note(request, "contact", pk)


@require_POST
@login_required
def contact_file(request, pk):
    return _file(request, "contact", pk)


# ---------------------------------------------------------------- companies


@require_GET
@login_required
def company_list(request):
    return _list(request, "company")


@require_GET
@login_required
def company_detail(request, pk):
    return _detail(request, "company", pk)


@require_http_methods(["GET", "POST"])
@login_required
def company_create(request):
    return _edit(request, "company")


@require_http_methods(["GET", "POST"])
@login_required
def company_edit(request, pk):
    return _edit(request, "company", pk)


@require_POST
@login_required
def company_delete(request, pk):
    return _delete(request, "company", pk)


@require_POST
@login_required
def company_note(request, pk):
    return _note(request, "company", pk)


@require_POST
@login_required
def company_file(request, pk):
    return _file(request, "company", pk)
