#!/usr/bin/env bash
# Packs OctaveML and builds a fresh console app that references the package, as a user's app would:
# pack -> private feed -> `dotnet new console` -> `dotnet add package` -> the given sources -> Release build.
# The app keeps the template's project settings (no runtime switches of the repo's Directory.Build.props).
# usage: nuget/consumer-app.sh WORK_DIR SOURCE.cs...  (one of the sources is the app's Program.cs)
# Everything goes under WORK_DIR (feed, own package cache, artifacts, app/); the caller removes it.
# The last line printed is "consumer_dll PATH".
set -euo pipefail

if [ $# -lt 2 ]; then echo "usage: $0 WORK_DIR SOURCE.cs..." >&2; exit 2; fi
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$1"; shift
mkdir -p "$work"
work="$(cd "$work" && pwd)"
sources=()
for source in "$@"; do
  [ -f "$source" ] || { echo "consumer-app: no source file $source" >&2; exit 2; }
  sources+=("$(cd "$(dirname "$source")" && pwd)/$(basename "$source")")
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# No MSBuild nodes or compiler server left behind after this script.
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
# Our own package cache: a stale OctaveML of the same version cannot be picked up.
user_packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
export NUGET_PACKAGES="$work/packages"
msbuild_flags=(-nodeReuse:false -p:UseSharedCompilation=false)

echo "== pack"
dotnet pack "$repo/src/OctaveML" -c Release -o "$work/feed" --artifacts-path "$work/artifacts" "${msbuild_flags[@]}"
nupkg="$(ls "$work"/feed/OctaveML.*.nupkg | grep -v '\.symbols\.nupkg$' | head -n 1)"
version="$(basename "$nupkg" .nupkg)"; version="${version#OctaveML.}"
echo "package $(basename "$nupkg") $(stat -c %s "$nupkg") bytes"

echo "== consumer"
app="$work/app"
mkdir -p "$app"
cd "$app"
dotnet new console --name PackageConsumer --output . --no-restore >/dev/null
# OctaveML only from the fresh feed; its dependencies from the user's cache (offline-friendly)
# or nuget.org.
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"octaveml-feed\" value=\"$work/feed\" />"
  if [ -d "$user_packages" ]; then echo "    <add key=\"user-cache\" value=\"$user_packages\" />"; fi
  echo '    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />'
  echo '  </packageSources>'
  echo '  <packageSourceMapping>'
  echo '    <packageSource key="octaveml-feed"><package pattern="OctaveML" /></packageSource>'
  if [ -d "$user_packages" ]; then echo '    <packageSource key="user-cache"><package pattern="*" /></packageSource>'; fi
  echo '    <packageSource key="nuget.org"><package pattern="*" /></packageSource>'
  echo '  </packageSourceMapping>'
  echo '</configuration>'
} > nuget.config
dotnet add package OctaveML --version "$version"
rm -f Program.cs
cp "${sources[@]}" .

echo "== build"
dotnet build -c Release "${msbuild_flags[@]}" -v:q
echo "consumer_dll $app/bin/Release/net10.0/PackageConsumer.dll"
