"""The gateway: channel adapters, the relay to Rasa, and the web pages."""
