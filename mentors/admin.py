from django.contrib import admin

from mentoring.admin import TaxonomyAdmin

from .models import Strength

admin.site.register(Strength, TaxonomyAdmin)
