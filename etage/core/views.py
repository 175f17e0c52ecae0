from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from etage.core.home import build_home


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"home": build_home(request.user)})
