"""The back office's two roles, as groups: "DPO" (the consent log) and "Marketing" (declarations, analytics).

A member also needs the staff flag to enter the admin; superusers hold every permission anyway.
Permissions are created here rather than left to post_migrate, which runs only after all migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "DPO": [
        "view_consentrecord",
        "export_consentrecord",
        "purge_consentrecord",
        "view_policyrevision",
        "bump_policyrevision",
    ],
    "Marketing": [
        *(
            f"{verb}_{model}"
            for model in ("purpose", "provider", "cookie", "emailtracker")
            for verb in ("add", "change", "delete", "view")
        ),
        "view_undeclaredcookie",
        "view_consent_analytics",
    ],
}


def create_roles(apps, schema_editor):
    # The database being migrated (the owner's alias), not "default": the app role migrates nothing.
    using = schema_editor.connection.alias
    consent = apps.get_app_config("consent")
    consent.models_module = True
    create_permissions(consent, apps=apps, verbosity=0, using=using)
    consent.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        permissions = Permission.objects.using(using).filter(content_type__app_label="consent", codename__in=codenames)
        assert permissions.count() == len(codenames), f"missing permissions for {name}"
        group.permissions.set(permissions)


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("consent", "0003_permissions"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
