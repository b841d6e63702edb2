"""A password hasher that counts its work, for tests of sign-in timing."""

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingMD5PasswordHasher(MD5PasswordHasher):
    """MD5 (as the test run uses) counting every hash computed: a new one or a check
    (MD5's `verify` computes through `encode`)."""

    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)
