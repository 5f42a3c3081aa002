"""API of users and teams: read only, within the user's zone."""

from ninja import Router

from voronka.accounts.models import Team, User
from voronka.accounts.schemas import TeamOut, UserOut
from voronka.api.common import READ_ERRORS, Id, get_or_404
from voronka.deals.filters import visible

router = Router(tags=["users"])


def user_out(u: User) -> dict:
    return {
        "id": u.pk,
        "username": u.username,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "email": u.email,
        "role": u.role,
        "team_id": u.team_id,
        "is_active": u.is_active,
    }


@router.get("/users/", response={200: list[UserOut], **READ_ERRORS}, summary="Users you see")
def list_users(request):
    return [user_out(u) for u in User.objects.visible_to(request.auth)]


@router.get("/users/me", response={200: UserOut, **READ_ERRORS}, summary="Yourself")
def me(request):
    return user_out(request.auth)


@router.get("/users/{user_id}", response={200: UserOut, **READ_ERRORS})
def get_user(request, user_id: Id):
    return user_out(get_or_404(User.objects.visible_to(request.auth), user_id))


@router.get("/teams/", response={200: list[TeamOut], **READ_ERRORS}, summary="Teams you see")
def list_teams(request):
    return [{"id": t.pk, "name": t.name} for t in visible(Team, request.auth)]
