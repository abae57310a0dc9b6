"""pcrm: a local-first personal CRM for the terminal."""

__version__ = "0.1.0"
