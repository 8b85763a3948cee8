"""The exam-day benchmark (``make bench``); see bench/README.md."""
