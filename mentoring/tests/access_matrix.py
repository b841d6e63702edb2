from mentoring.tests.access import Row

MATRIX = [
    Row("home", default=200),
    Row("healthz", default=200, anonymous=200),
]
