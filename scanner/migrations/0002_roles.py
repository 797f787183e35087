"""Marketers start scans and read them; the DPO reads and downloads them (the groups of consent 0004)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {"Marketing": ["view_scan", "add_scan"], "DPO": ["view_scan"]}


def grant_roles(apps, schema_editor):
    using = schema_editor.connection.alias
    scanner = apps.get_app_config("scanner")
    scanner.models_module = True
    create_permissions(scanner, apps=apps, verbosity=0, using=using)
    scanner.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        permissions = Permission.objects.using(using).filter(content_type__app_label="scanner", codename__in=codenames)
        assert permissions.count() == len(codenames), f"missing permissions for {name}"
        group.permissions.add(*permissions)


def revoke_roles(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="scanner"))


class Migration(migrations.Migration):
    dependencies = [("scanner", "0001_initial"), ("consent", "0004_roles")]

    operations = [migrations.RunPython(grant_roles, revoke_roles)]
