"""Following entries, categories and areas; the list of one's follows; unsubscribing from a
link in an email (signed, no sign-in)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mapapp.models import Category, Entry, Follow
from mapapp.pages.forms import AreaFollowForm, FrequencyForm
from mapapp.pages.navigation import next_on_this_site
from mapapp.pages.paging import page_with_links
from mapapp.reads.filters import MAX_AREA_DEGREES
from mapapp.services import follows as follow_service

FOLLOWS_PAGE_SIZE = 25


def _frequency(request):
    """The frequency a follow button sent, or None (and a message) if it is not one of ours."""
    form = FrequencyForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["frequency"]
    messages.error(request, "Nothing was followed: choose at once, daily or weekly.")
    return None


@login_required
@require_POST
def follow_entry(request, slug):
    entry = get_object_or_404(Entry.objects.filter(status=Entry.Status.PUBLISHED), slug=slug)
    frequency = _frequency(request)
    if frequency:
        follow_service.follow_entry(user=request.user, entry=entry, frequency=frequency)
        messages.success(request, f"You follow {entry.name}: you will be emailed when it changes.")
    return redirect(entry.get_absolute_url())


@login_required
@require_POST
def follow_category(request, slug):
    category = get_object_or_404(Category, slug=slug)
    frequency = _frequency(request)
    if frequency:
        follow_service.follow_category(user=request.user, category=category, frequency=frequency)
        messages.success(request, f"You follow the category {category.name}.")
    return redirect("account-follows")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def follow_area(request):
    """GET ?bbox= (the map's view) shows the form filled in; POST follows the area."""
    data = request.POST if request.method == "POST" else None
    form = AreaFollowForm(data, initial={"bbox": request.GET.get("bbox", "")[:200]})
    if data is not None and form.is_valid():
        try:
            follow_service.follow_area(
                user=request.user,
                bbox=form.cleaned_data["bbox"],
                name=form.cleaned_data["area_name"],
                frequency=form.cleaned_data["frequency"],
            )
        except ValidationError as error:
            form.add_error("bbox", error)
        else:
            messages.success(request, "You follow this area.")
            return redirect("account-follows")
    status = 400 if form.errors else 200
    context = {"form": form, "max_degrees": MAX_AREA_DEGREES}
    return render(request, "mapapp/follow_area.html", context, status=status)


@login_required
@require_safe
def follow_list(request):
    mine = Follow.objects.filter(user=request.user).select_related("entry", "category")
    page = page_with_links(request, mine, size=FOLLOWS_PAGE_SIZE)
    for follow in page:
        follow.form = FrequencyForm(initial={"frequency": follow.frequency}, prefix=f"f{follow.pk}")
    context = {"page": page, "alert_days": settings.DEADLINE_ALERT_DAYS[::-1]}
    return render(request, "mapapp/follows.html", context)


@login_required
@require_POST
def follow_frequency(request, pk):
    follow = get_object_or_404(Follow, pk=pk, user=request.user)
    form = FrequencyForm(request.POST, prefix=f"f{pk}")
    if form.is_valid():
        follow_service.follow_set_frequency(follow=follow, frequency=form.cleaned_data["frequency"])
        messages.success(request, f"{follow.label}: emails {follow.get_frequency_display()}.")
    else:
        messages.error(request, "Choose at once, daily or weekly.")
    return redirect("account-follows")


@login_required
@require_POST
def unfollow(request, pk):
    follow = get_object_or_404(Follow, pk=pk, user=request.user)
    label = follow.label
    follow_service.unfollow(follow=follow)
    messages.success(request, f"You no longer follow {label}.")
    return redirect(next_on_this_site(request) or "account-follows")


# Mail programs unsubscribe with a POST that has no form token (RFC 8058's one-click): the
# signed link is the credential, so CSRF protection would only turn them away.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks (a link scanner must not unsubscribe anyone); POST stops every follow."""
    try:
        if request.method != "POST":
            follow_service.unsubscribing(token)
            return render(request, "mapapp/unsubscribe.html", {"token": token, "asked": True})
        stopped = follow_service.unsubscribe(token)
    except ValidationError as error:
        context = {"error": error.messages[0]}
        return render(request, "mapapp/unsubscribe.html", context, status=400)
    return render(request, "mapapp/unsubscribe.html", {"stopped": stopped, "done": True})
