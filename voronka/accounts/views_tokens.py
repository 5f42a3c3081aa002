"""The API tokens page: create (the secret is shown once) and revoke."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from voronka.accounts.models import ApiToken
from voronka.accounts.services import api_token_create, api_token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Token name"), max_length=100)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("This field is required."), code="required")
        return name


@require_http_methods(["GET", "POST"])
@login_required
def api_tokens(request):
    form = TokenForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
        else:
            status = 400
    tokens = ApiToken.objects.visible_to(request.user)
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "secret": secret, "tokens": tokens},
        status=status,
    )


@require_POST
@login_required
def api_token_revoke_view(request):
    raw = str(request.POST.get("token", ""))
    if not raw.isdigit() or len(raw) > 18:
        raise Http404
    token = ApiToken.objects.visible_to(request.user).filter(pk=int(raw)).first()
    if token is None:
        raise Http404
    api_token_revoke(token, by=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")
