"""calgen: Chinese government work plans → deadline calendars on the Chinese working-day calendar."""

__version__ = "0.1.0"
