"""Writes for awards and certificates, one module per job:

- ``awards``: is the trainee eligible now, and the award made exactly once;
- ``issuing``: a certificate queued for an award (one at a time, or in bulk);
- ``rendering``: the worker's side (render, store, fail, retry);
- ``delivery``: emailing the certificate to its holder;
- ``lifecycle``: revoke, re-issue, suspend and reinstate, expire, reminders and the
  sweep for renders whose message was lost.

Every function that changes a certificate locks its row (SELECT … FOR UPDATE, see
``locks``), checks the state it expects and records an audit event in the same
transaction; work for Celery is enqueued after the commit. Each step is safe to run
twice. Import from the module that does the job; nothing is re-exported here.
"""
