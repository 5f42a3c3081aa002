"""Zones of responsibility: every read goes through ``visible_to(user)``.

A model opts in by defining ``visibility_q(user)`` as a classmethod returning a ``Q``
(or ``None`` for "everything"). A user who is not authenticated or not active sees nothing.
"""

from django.db import models


class VisibleQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        q = self.model.visibility_q(user)
        if q is None:
            return self
        return self.filter(q)
