from django.contrib import admin

from mentoring.admin import TaxonomyAdmin

from .models import ReferralSource

admin.site.register(ReferralSource, TaxonomyAdmin)
