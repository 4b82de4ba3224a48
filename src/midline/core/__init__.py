"""The pure analysis core: numpy arrays and small dataclasses in, numbers and cues out.

Nothing here reads files, decodes video, or imports a web, database or pose library. Data flows
landmarks -> signals -> phases/reps -> metrics -> cues -> report.
"""
