"""Personal data in the dataio app (see mentoring/personal_fields.py)."""
