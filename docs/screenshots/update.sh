#!/usr/bin/env bash
# Take the phone screenshots of the main pages again (a browser test over the demo world)
# into docs/screenshots/phone, to be committed when the pages changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCREENSHOT_DIR="$PWD/docs/screenshots/phone" DJANGO_ALLOW_ASYNC_UNSAFE=true \
    env -u DATABASE_URL -u REDIS_URL .venv/bin/pytest -p no:cacheprovider -q -m e2e \
    tests/e2e/test_accessibility_screenshots.py
