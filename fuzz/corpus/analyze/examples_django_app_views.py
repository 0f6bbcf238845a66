"""Django views: the default (database) session engine keeps sessions on the server."""
from django.contrib.auth import authenticate, login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View

from .models import Member


def sign_in(request):
    # Clean: django.contrib.auth.login() cycles the session key itself.
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is None:
        return HttpResponse("invalid credentials", status=401)
    login(request, user)
    return redirect("home")


def api_sign_in(request):
    # Flagged: the identity is written by hand and the key is never cycled, so a session
    # key planted in the victim's browser becomes authenticated.
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is not None:
        request.session["user_id"] = user.pk
        return HttpResponse(status=204)
    return HttpResponse(status=401)


class MemberLoginView(View):
    def post(self, request):
        # Flagged: clear() empties the data but keeps the session key.
        member = Member.objects.get(email=request.POST["email"])
        if member.check_password(request.POST["password"]):
            request.session.clear()
            request.session["member_id"] = member.pk
            return redirect("members")
        return HttpResponse(status=401)


def switch_account(request):
    # Clean: cycle_key() before the hand-written identity.
    member = Member.objects.get(email=request.POST["email"])
    if member.check_password(request.POST["password"]):
        request.session.cycle_key()
        request.session["member_id"] = member.pk
    return redirect("members")
