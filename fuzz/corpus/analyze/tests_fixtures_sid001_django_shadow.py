# A view that shadows django.contrib.auth.login calls itself, not Django's login().
from django.contrib.auth import authenticate, login
from django.shortcuts import redirect


def login(request):
    user = authenticate(request, username=request.POST["u"], password=request.POST["p"])
    if user is not None:
        login(request, user)
        request.session["member_id"] = user.pk  # error: SID001
    return redirect("/")
