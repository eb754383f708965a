"""Custom Rasa graph components of the e-Musrenbang NLU pipeline (see nlu/config.yml)."""
