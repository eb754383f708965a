"""Custom Rasa graph components of the e-Musrenbang NLU pipeline (see nlu/config.yml).

Rasa imports this package in every process that loads the model; it brings `nlu.rasa_runtime` with it.
"""

from nlu import rasa_runtime  # noqa: F401 - installs the action-reply validation that checks its schema once
