"""Public pages of Commons Map."""

from django.http import JsonResponse
from django.shortcuts import render

from mapapp.models import Category, Entry


def home(request):
    context = {
        "categories": Category.objects.all(),
        "entry_count": Entry.objects.published().count(),
    }
    return render(request, "mapapp/home.html", context)


def not_found(request, exception=None):
    """404s: JSON for API and OGC clients, a page for people."""
    if request.path.startswith(("/api/", "/ogc/")):
        return JsonResponse({"detail": f"Nothing is at {request.path}."}, status=404)
    return render(request, "404.html", {"path": request.path}, status=404)
