"""A contributor's own account page: display name, data download, account deletion."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mapapp import services
from mapapp.models import Profile


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        max_length=60,
        required=False,
        help_text="Shown next to your changes in entry histories. Leave empty to stay anonymous.",
    )


class DeleteForm(forms.Form):
    confirm = forms.CharField(label="Type DELETE to confirm")

    def clean_confirm(self):
        if self.cleaned_data["confirm"] != "DELETE":
            raise forms.ValidationError("Type DELETE in capitals to confirm.")
        return "DELETE"


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    profile = Profile.objects.filter(user=request.user).first()
    initial = {"display_name": profile.display_name if profile else ""}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, display_name=form.cleaned_data["display_name"])
        messages.success(request, "Your display name is saved.")
        return redirect("account")
    context = {"form": form, "delete_form": DeleteForm(), "token": _token(request.user)}
    return render(request, "mapapp/account.html", context, status=400 if form.errors else 200)


@login_required
@require_safe
def account_data(request):
    data = services.account_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="commons-map-my-data.json"'
    return response


@login_required
@require_POST
def account_delete(request):
    form = DeleteForm(request.POST)
    if not form.is_valid():
        context = {"form": ProfileForm(), "delete_form": form, "token": _token(request.user)}
        return render(request, "mapapp/account.html", context, status=400)
    user = request.user
    logout(request)
    services.account_delete(user=user)
    messages.success(request, "Your account is deleted. Your entries stay on the map, anonymously.")
    return redirect("home")


def _token(user):
    from rest_framework.authtoken.models import Token

    return Token.objects.filter(user=user).first()


@login_required
@require_POST
def token_renew(request):
    services.api_token_renew(user=request.user)
    messages.success(request, "Your new API token is below; any earlier token stops working.")
    return redirect("account")


@login_required
@require_POST
def token_revoke(request):
    services.api_token_revoke(user=request.user)
    messages.success(request, "Your API token is revoked.")
    return redirect("account")
