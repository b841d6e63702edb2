from django.contrib import admin

from mentoring.admin import TaxonomyAdmin

from .models import Activity, FundingSource

admin.site.register(Activity, TaxonomyAdmin)
admin.site.register(FundingSource, TaxonomyAdmin)
