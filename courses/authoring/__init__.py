"""Authoring courses in Glabella's own pages instead of the Django admin: courses,
modules and lessons (services for the audited writes, selectors for who may edit what,
forms per role, views, urls). Administrators edit everything; a course's instructors
edit its content (summary, description, modules, lessons, images), never its
accreditation, validity, certificate settings or hands-on requirement."""
