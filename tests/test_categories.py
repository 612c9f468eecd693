from mapapp.models import Category


def test_the_six_categories_are_seeded_in_order(db):
    assert list(Category.objects.values_list("slug", flat=True)) == [
        "community-organising",
        "reciprocal-working",
        "commoning",
        "convivial-spaces",
        "campaigns-resistance",
        "public-goods",
    ]


def test_every_seeded_category_has_a_colour_icon_and_description(db):
    for category in Category.objects.all():
        category.full_clean()
        assert category.icon and category.description
