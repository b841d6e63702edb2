from django.contrib import admin

from mentoring.admin import TaxonomyAdmin

from .models import Activity

admin.site.register(Activity, TaxonomyAdmin)
