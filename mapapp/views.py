"""Public pages of Commons Map."""

from django.shortcuts import render

from mapapp.models import Category, Entry


def home(request):
    context = {
        "categories": Category.objects.all(),
        "entry_count": Entry.objects.published().count(),
    }
    return render(request, "mapapp/home.html", context)
