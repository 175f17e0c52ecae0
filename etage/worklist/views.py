from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from etage.worklist.selectors import my_work


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "worklist/index.html", {"work": my_work(request.user)})
