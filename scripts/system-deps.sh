#!/usr/bin/env bash
# The Debian packages the tests and the demo need: OpenLDAP's server and
# tools (the tests start their own throwaway slapd), openssl (test
# certificates) and the Cyrus SASL modules (SASL binds). Installs the missing
# ones with apt-get when run as root; otherwise says how and fails. Does
# nothing when everything is there, so `npm test` and `npm run demo` call it
# first. LBER_SLAPD set (your own slapd build) skips the check.
set -euo pipefail
[ -n "${LBER_SLAPD:-}" ] && exit 0
command -v dpkg-query >/dev/null 2>&1 || exit 0   # not Debian: the testkit reports what is missing

packages=(slapd ldap-utils openssl libsasl2-modules sasl2-bin)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  echo "install them first: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 2
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
