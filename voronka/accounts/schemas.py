"""API schemas of users and teams (read only)."""

from pydantic import BaseModel


class TeamOut(BaseModel):
    id: int
    name: str


class UserOut(BaseModel):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    team_id: int | None
    is_active: bool
