"""The reference page of the web load benchmark (benchmarks/web.py; docs/performance.md,
"Web load"): 50 rows of one table rendered in the site's layout, behind the same middleware,
session, login and second factor as every other page. It is the floor of the stack that the
hot pages are measured against, and is registered only when ``ETAGE_BENCHMARK_REFERENCE`` is
true (etage/core/urls.py).

The table is Django's permission list: present in every installation with more than 50 rows,
and holding nothing about any person, so the page shows no data a logged-in account could not
otherwise know.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Permission
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

#: Rows rendered: the size of one page of the situation list.
REFERENCE_ROWS = 50


@login_required
def reference(request: HttpRequest) -> HttpResponse:
    rows = Permission.objects.order_by("pk").values_list("pk", "codename", "name")[:REFERENCE_ROWS]
    return render(request, "core/benchmark_reference.html", {"rows": rows})
