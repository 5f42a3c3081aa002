from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


@require_POST
@login_required
def set_language(request):
    """Save the user's language; it then follows them on every device."""
    lang = request.POST.get("language", "")
    if lang in dict(settings.LANGUAGES):
        request.user.language = lang
        request.user.save(update_fields=["language"])
        translation.activate(lang)
    nxt = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        nxt = "/"
    response = redirect(nxt)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, samesite="Lax", httponly=True)
    return response
