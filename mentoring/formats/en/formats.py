"""Django reads `en` formats where a browser asks for plain English: the same British ones."""

from mentoring.formats.en_GB.formats import *  # noqa: F403
