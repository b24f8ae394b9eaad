#!/usr/bin/env python3
"""Turns the web build (dist/build/) into the extension's per-browser variants and store packages.

`manifest.json` at the repository root is the only manifest anyone edits; it is written for Chrome.
This script derives from it (as ruffle's `transformManifest` does):

- dist/chrome/   the Chrome extension, also what the README says to load unpacked;
- dist/firefox/  the Firefox add-on: `browser_specific_settings.gecko` and a background script
                 where Chrome has a service worker;
- dist/e2e/      what the end-to-end tests load: Chrome's, with the test instances' origins granted
                 up front, because headless Chromium cannot click a permission prompt;
- dist/flare-chrome.zip, dist/flare-firefox.zip  the store packages, byte for byte the same from the
                 same build (sorted entries, fixed dates and modes).
"""

import json
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
BUILD = DIST / "build"

# Firefox needs a stable add-on id for storage and managed policies to survive updates.
GECKO_ID = "flare@flare-extension.org"
# The first version (desktop and Android) that reads `data_collection_permissions`, which new
# add-ons must declare; it also grants `optional_host_permissions` at runtime.
GECKO_MIN_VERSION = "142.0"
# Origins the end-to-end tests reach without a prompt: the real instance names, which the tests
# resolve to the sandbox (tests/e2e/support/browser.mjs).
E2E_ORIGINS = [
    "https://*.service-now.com/*",
    "https://*.zendesk.com/*",
]
# `tabs.captureVisibleTab` needs `activeTab`, which only the user's click on the toolbar button
# (or its shortcut) grants, and headless tests cannot click it; the test build may capture any
# page instead. The store builds keep `activeTab` alone.
E2E_CAPTURE = "<all_urls>"
# The console capture's `scripting` is optional and asked for when the user opts in on the options
# page; that prompt cannot be clicked headless either, so the test build holds it from the start
# (`permissions.request` then resolves at once). Nothing is injected until the user opts in, in
# either build: the capture script is registered only then.
E2E_PERMISSIONS = ["scripting"]
# The zip entries' date: the earliest a zip can hold, so that packages do not depend on the clock.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def main() -> int:
    if not (BUILD / "popup.html").is_file():
        print(f"package: no web build in {BUILD}; run trunk first", file=sys.stderr)
        return 1
    source = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    variants = {
        "chrome": source,
        "firefox": firefox_manifest(source),
        "e2e": e2e_manifest(source),
    }
    for name, manifest in variants.items():
        write_variant(DIST / name, manifest)
    for name in ("chrome", "firefox"):
        write_zip(DIST / name, DIST / f"flare-{name}.zip")
    return 0


def firefox_manifest(source: dict) -> dict:
    manifest = json.loads(json.dumps(source))
    background = manifest.get("background")
    if background and "service_worker" in background:
        background["scripts"] = [background.pop("service_worker")]
    manifest["browser_specific_settings"] = {
        "gecko": {
            "id": GECKO_ID,
            "strict_min_version": GECKO_MIN_VERSION,
            # What a report sends, and only to the user's own service desk: the page's address and
            # title, and what the user writes and attaches.
            "data_collection_permissions": {"required": ["websiteActivity", "websiteContent"]},
        }
    }
    return manifest


def e2e_manifest(source: dict) -> dict:
    manifest = json.loads(json.dumps(source))
    manifest["host_permissions"] = manifest.get("host_permissions", []) + E2E_ORIGINS + [E2E_CAPTURE]
    manifest["permissions"] = manifest["permissions"] + E2E_PERMISSIONS
    return manifest


def write_variant(target: Path, manifest: dict) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(BUILD, target)
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (target / "manifest.json").write_text(text, encoding="utf-8")


def write_zip(folder: Path, target: Path) -> None:
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    with zipfile.ZipFile(target, "w") as archive:
        for path in files:
            entry = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=ZIP_DATE)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes(), compresslevel=9)


if __name__ == "__main__":
    sys.exit(main())
