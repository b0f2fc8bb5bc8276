"""The deployment guide's `collectstatic` with the production storage (hashed, manifest)."""

import json

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_manifest_storage(tmp_path):
    # The manifest storage rewrites every reference in CSS and JS (source maps too) and fails on
    # one whose file is missing: vendored files must not name files that are not shipped.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert "vendor/bootstrap/bootstrap.min.css" in manifest["paths"]
    assert "vendor/bootstrap/bootstrap.bundle.min.js" in manifest["paths"]
