from django.http import Http404

from voronka.imports.models import ImportJob


def jobs_for(user):
    return ImportJob.objects.visible_to(user).select_related("created_by")


def job_get(user, pk) -> ImportJob:
    job = jobs_for(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
