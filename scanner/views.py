"""The admin's scan pages beyond Django's list and detail: the "Scanner le site" button and the files."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from scanner.exports import scan_csv, scan_json
from scanner.models import Scan, Status
from scanner.pages import ScanRefused
from scanner.requirements import missing_requirements
from scanner.services import start_in_background, start_scan


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """ "Scanner le site": claims the running scan and starts it in a process of its own."""
    if not request.user.has_perm("scanner.add_scan"):
        raise PermissionDenied
    back = HttpResponseRedirect(reverse("admin:scanner_scan_changelist"))
    missing = missing_requirements()
    if missing:
        messages.error(request, missing)
        return back
    try:
        scan = start_scan(base_url=settings.SCAN_BASE_URL, user=request.user)
    except ScanRefused as error:
        messages.error(request, str(error))
        return back
    start_in_background(scan)
    messages.success(request, gettext("Scan lancé : cette page suit son avancement."))
    return HttpResponseRedirect(reverse("admin:scanner_scan_change", args=[scan.pk]))


@require_safe
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """A finished scan as CSV (its findings) or JSON (everything it saw), for the DPO."""
    if not request.user.has_perm("scanner.view_scan"):
        raise PermissionDenied
    scan = get_object_or_404(Scan, pk=pk, status=Status.DONE)
    fmt = request.GET.get("format")
    if fmt == "csv":
        response: HttpResponse = HttpResponse(scan_csv(scan), content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        response = JsonResponse(scan_json(scan), json_dumps_params={"indent": 2, "ensure_ascii": False})
    else:
        return HttpResponse(gettext("Format inconnu : csv ou json."), status=400, content_type="text/plain")
    day = timezone.localdate(scan.started_at)
    response["Content-Disposition"] = f'attachment; filename="scan_cookies_{scan.pk}_{day}.{fmt}"'
    return response
