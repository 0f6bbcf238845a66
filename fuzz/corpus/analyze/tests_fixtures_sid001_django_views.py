# SID001 fixtures: Django (server-side sessions by default).
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import alogin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View


def manual_login(request):
    user = authenticate(request, username=request.POST["u"], password=request.POST["p"])
    if user is not None:
        request.session["user_id"] = user.pk  # error: SID001
        return redirect("/")
    return HttpResponse(status=401)


def framework_login(request):
    # ok: django.contrib.auth.login() cycles the session key itself.
    user = authenticate(request, username=request.POST["u"], password=request.POST["p"])
    if user is not None:
        auth_login(request, user)
        request.session["role"] = user.role
        return redirect("/")
    return HttpResponse(status=401)


def clear_keeps_the_key(request):
    user = authenticate(request, username=request.POST["u"], password=request.POST["p"])
    if user is not None:
        request.session.clear()
        request.session["user_id"] = user.pk  # error: SID001
    return redirect("/")


def cycle_then_write(request):
    # ok: cycle_key() before the hand-written identity.
    user = authenticate(request, username=request.POST["u"], password=request.POST["p"])
    if user is not None:
        request.session.cycle_key()
        request.session["user_id"] = user.pk
    return redirect("/")


def write_then_cycle(req):
    # ok: cycle_key() keeps the data, so after the write is fine too.
    user = authenticate(req, username=req.POST["u"], password=req.POST["p"])
    if user is not None:
        req.session["user_id"] = user.pk
        req.session.cycle_key()
    return redirect("/")


def flush_on_failure_only(request):
    user = authenticate(request, username=request.POST["u"], password=request.POST["p"])
    if user is None:
        request.session.flush()
        return HttpResponse(status=401)
    request.session["user_id"] = user.pk  # error: SID001
    return redirect("/")


class LoginView(View):
    def post(self, request):
        user = find_member(request.POST["email"])
        if user.check_password(request.POST["password"]):
            self.request.session["member_id"] = user.pk  # error: SID001
        return redirect("/")


def password_change(request):
    # ok: update_session_auth_hash() cycles the key.
    if request.user.check_password(request.POST["old"]):
        request.user.set_password(request.POST["new"])
        update_session_auth_hash(request, request.user)
        request.session["auth_changed"] = True
    return redirect("/")


async def async_login(request):
    # ok: alogin() cycles the key.
    user = await aauthenticate(request, username="u", password="p")
    if user is not None:
        await alogin(request, user)
    return redirect("/")


async def async_manual(request):
    user = await aauthenticate(request, username="u", password="p")
    if user is not None:
        await request.session.aset("user_id", user.pk)  # error: SID001
    return redirect("/")


def aliased_session(request):
    s = request.session
    user = authenticate(request, username="u", password="p")
    if user is not None:
        s["uid"] = user.pk  # error: SID001
    return redirect("/")


def register(request):
    # A registration that logs the new user in by hand.
    user = User.objects.create_user(request.POST["username"], password=request.POST["password"])
    request.session["user_id"] = user.pk  # error: SID001
    return redirect("/")


def register_and_login(request):
    # ok: the new account is logged in with django.contrib.auth.login(), which cycles the key.
    user = User.objects.create_user(request.POST["username"], password=request.POST["password"])
    auth_login(request, user)
    return redirect("/")
