"""Writes of the written exam, by job: ``attempts`` (start, submit, close at the deadline),
``answers`` (autosave and flags), ``grading``. Import from the module itself."""
