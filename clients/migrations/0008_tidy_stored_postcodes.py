"""Postcodes stored before they were tidied on save ('sa151aa') become 'SA15 1AA' too, so every
stored postcode reads the same way (clients.postcodes.tidy_postcode)."""

from django.db import migrations

from clients.postcodes import tidy_postcode


def tidy(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    for pk, postcode in Client.objects.exclude(postcode="").values_list("pk", "postcode").iterator():
        tidied = tidy_postcode(postcode)
        if tidied != postcode:
            Client.objects.filter(pk=pk).update(postcode=tidied)  # not a change anyone made: no version bump


class Migration(migrations.Migration):
    dependencies = [("clients", "0007_add_client_duplicate_check")]
    operations = [migrations.RunPython(tidy, migrations.RunPython.noop)]
