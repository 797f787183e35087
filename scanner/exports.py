"""A scan as files for the DPO: its findings as CSV (cells neutralised, exports/cells.py), all of it as JSON."""

from __future__ import annotations

import csv
import io

from exports.cells import neutralise
from scanner.models import Scan

CSV_COLUMNS = ("severity", "kind", "type", "name", "state", "pages", "message")


def scan_csv(scan: Scan) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for f in scan.findings.all():
        row = (
            f.get_severity_display(),
            f.get_kind_display(),
            f.get_item_type_display(),
            f.name,
            f.state_label(),
            " ".join(f.pages),
            f.message(),
        )
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


def scan_json(scan: Scan) -> dict:
    return {
        "scan": {
            "id": scan.pk,
            "started_at": scan.started_at.isoformat(),
            "finished_at": scan.finished_at.isoformat() if scan.finished_at else None,
            "started_by": scan.started_by.get_username() if scan.started_by else None,
            "base_url": scan.base_url,
            "status": scan.status,
            "error": scan.error,
            "pages": scan.pages,
            "states": scan.states,
        },
        "findings": [
            {
                "severity": f.severity,
                "kind": f.kind,
                "type": f.item_type,
                "name": f.name,
                "state": f.state,
                "pages": f.pages,
                "details": f.details,
                "message": f.message(),
            }
            for f in scan.findings.all()
        ],
        "observations": scan.observations,
    }
