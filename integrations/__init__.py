"""Exchanges with the government systems around the assistant (SIPD e-Musrenbang today).

App environment only: file formats (openpyxl) stay out of `core/` and `storage/`, which also run
under Rasa's Python 3.10. Queries live in `storage/`, status changes go through `workflows.status`.
"""
