from django.core.management import call_command

from mapapp.models import Category, Entry


def test_the_demo_loader_creates_about_sixty_published_entries_in_every_category(db):
    call_command("load_demo", verbosity=0)
    assert 50 <= Entry.objects.published().count() <= 70
    used = set(Entry.objects.values_list("category__slug", flat=True))
    assert used == set(Category.objects.values_list("slug", flat=True))


def test_the_demo_includes_withheld_locations_and_threatened_entries(db):
    call_command("load_demo", verbosity=0)
    assert Entry.objects.filter(precision="approximate").exists()
    assert Entry.objects.filter(precision="area").exists()
    assert Entry.objects.filter(threat="at_risk").exists()


def test_running_the_demo_loader_twice_adds_nothing(db):
    call_command("load_demo", verbosity=0)
    count = Entry.objects.count()
    call_command("load_demo", verbosity=0)
    assert Entry.objects.count() == count


def test_if_empty_leaves_a_database_with_entries_alone(make_entry):
    make_entry()
    call_command("load_demo", "--if-empty", verbosity=0)
    assert Entry.objects.count() == 1
