from django.contrib import admin

from mentoring.admin import TaxonomyAdmin

from .models import ClosureReason

# Client and case records are not in the admin: they are reached only through the access
# policy of the application's own pages.
admin.site.register(ClosureReason, TaxonomyAdmin)
