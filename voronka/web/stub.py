"""Placeholder view used while a screen is being built; replaced screen by screen."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def not_built(request, *args, **kwargs):
    return HttpResponse("")
