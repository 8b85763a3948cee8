"""Hands-on training: supervised injection sessions recorded on the face chart, signed
off by the course's instructors, and the requirement they add up to.

``services`` writes (record, sign, amend, reflect), ``selectors`` reads (access, the
logbook, the requirement), ``face_sites`` is the face chart's catalogue and dose
arithmetic; the models are in ``courses.models.handson``."""
