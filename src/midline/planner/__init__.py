"""The session planner: a multi-week programme from a profile, selected by a MILP (scipy HiGHS)."""

from midline.planner.build import build_plan
from midline.planner.plan import Plan
from midline.planner.profile import Profile, ProfileError, make_profile

__all__ = ["Plan", "Profile", "ProfileError", "build_plan", "make_profile"]
