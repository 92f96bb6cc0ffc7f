"""OPTIONS (RFC 9110 §9.3.7) on one object's URL."""


class ObjectOptionsMixin:
    """Look the object up first: an unknown id, or one the caller may not see, is a 404 for every method.

    DRF's metadata answers OPTIONS 200 without a lookup, for any id.
    """

    def options(self, request, *args, **kwargs):
        self.get_object()
        return super().options(request, *args, **kwargs)
