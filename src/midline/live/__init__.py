"""Live coaching: pose on each camera frame, the streaming analysis core, the desktop player.

``coach.LiveCoach`` is the adapter every live front end uses (the desktop window, the web page).
"""
