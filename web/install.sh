#!/bin/bash
# Installs the browser tests' packages (Playwright, pinned with its sha512 hashes in web/package-lock.json)
# with npm; the page itself needs none. No browser is downloaded: the tests drive Debian's chromium.
#
# Behind a proxy whose certificate authority this machine does not trust, npm cannot check the registry's
# TLS chain; it then retries without that check, which is safe here because `npm ci` verifies every package
# against the lockfile's sha512 hash. If npm still fails, the tests that need it are skipped (ctest says so)
# and this script exits 0, so lever still builds; with LEVER_REQUIRE_BROWSER=1 (CI) it fails instead.
cd "$(dirname "$0")"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund && exit 0
echo "warning: npm ci failed; retrying without TLS chain verification (the lockfile's sha512 hashes still check every package)" >&2
npm ci --no-audit --no-fund --strict-ssl=false && exit 0
echo "warning: npm could not install web/'s test packages: the playground's browser tests will be skipped" >&2
[ "${LEVER_REQUIRE_BROWSER:-0}" = 1 ] && exit 1
exit 0
