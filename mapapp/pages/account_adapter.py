"""allauth adapter: allauth's per-address rate limits count the same address as ours."""

from allauth.account.adapter import DefaultAccountAdapter

from mapapp.web.clientip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        # allauth 65 trusts the first X-Forwarded-For value, which any client can set.
        return client_ip(request)
