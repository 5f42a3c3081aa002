from django.conf import settings


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from voronka.deals.models import Pipeline

    return {
        "nav_pipelines": list(Pipeline.objects.filter(is_active=True).only("pk", "name")),
        "LANGUAGES_AVAILABLE": settings.LANGUAGES,
    }
