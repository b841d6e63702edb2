from django.db import migrations

from clients.names import FOLDED_FIELDS, folded_names


def fill(apps, schema_editor):
    """Fold the names of every client already held, a thousand at a time."""
    Client = apps.get_model("clients", "Client")
    batch = []
    for client in Client.objects.only("first_name", "last_name", "preferred_name").iterator(chunk_size=1000):
        for name, value in folded_names(client.first_name, client.last_name, client.preferred_name).items():
            setattr(client, name, value)
        batch.append(client)
        if len(batch) == 1000:
            Client.objects.bulk_update(batch, FOLDED_FIELDS)
            batch = []
    Client.objects.bulk_update(batch, FOLDED_FIELDS)


class Migration(migrations.Migration):
    dependencies = [("clients", "0004_add_client_folded_names")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
