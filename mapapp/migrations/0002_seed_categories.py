"""Seed the six categories Commons Map starts with."""

from django.db import migrations

CATEGORIES = [
    (
        "Community organising",
        "community-organising",
        "#1b5e7a",
        "people",
        "Tenants' unions, residents' associations, neighbourhood assemblies and other groups that "
        "organise people where they live and work.",
    ),
    (
        "Reciprocal working",
        "reciprocal-working",
        "#7a4b9c",
        "handshake",
        "Timebanks, mutual aid groups, skill swaps and LETS: people exchanging help and time "
        "without money changing hands.",
    ),
    (
        "Commoning",
        "commoning",
        "#2d7a3a",
        "sprout",
        "Community gardens, land trusts, libraries of things and repair cafés: resources held and "
        "cared for in common.",
    ),
    (
        "Convivial spaces",
        "convivial-spaces",
        "#b3541e",
        "house",
        "Social centres, community cafés and other shared places to meet, eat and organise.",
    ),
    (
        "Campaigns & resistance",
        "campaigns-resistance",
        "#b3243a",
        "megaphone",
        "Campaigns against the enclosure or privatisation of public goods: a library closure, a "
        "park sale, a hospital cut.",
    ),
    (
        "Public goods",
        "public-goods",
        "#5b6770",
        "landmark",
        "Libraries, parks, pools, community centres and other public services and spaces worth "
        "defending.",
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("mapapp", "Category")
    for order, (name, slug, colour, icon, description) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "colour": colour,
                "icon": icon,
                "order": order,
                "description": description,
            },
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("mapapp", "Category")
    Category.objects.filter(slug__in=[c[1] for c in CATEGORIES], entries__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("mapapp", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
