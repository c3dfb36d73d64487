#!/usr/bin/env bash
# Real recorded telephone speech for tests and benchmarks, from Debian packages unpacked into a cache (nothing is
# installed into the system): German prompts (asterisk-prompt-de, GPL-2) and English prompts with texts
# (asterisk-core-sounds-en-wav + asterisk-core-sounds-en, CC-BY-SA-3.0), and real music on hold for the VAD benchmark
# (asterisk-moh-opsound-gsm, CC-BY-SA-3.0).
#
# Result, in ${VOICEBRIDGE_SPEECH_SAMPLES:-~/.cache/voicebridge/speech-samples}:
#   de/gsm/...         the original 8 kHz GSM prompts (what Asterisk plays), digits/ etc. kept as subfolders
#   de/wav/...         the same decoded to 8 kHz 16-bit mono WAV (slin, as AudioSocket carries it)
#   en/wav/...         Allison Smith's 8 kHz 16-bit WAV prompts
#   en/core-sounds-en.txt   "name: text" for every English prompt
#   moh/*.wav          music on hold, 8 kHz 16-bit mono WAV
#   COMPLETE           written last; its presence means the set is whole
# Safe to run again: it does nothing when COMPLETE is there. Needs apt-get, dpkg-deb and sox.
set -euo pipefail
DEST=${VOICEBRIDGE_SPEECH_SAMPLES:-$HOME/.cache/voicebridge/speech-samples}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=${DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

if [ -f "$DEST/COMPLETE" ] && [ -d "$DEST/moh" ]; then
  echo "speech samples: already in $DEST"
  exit 0
fi
for tool in apt-get dpkg-deb sox; do
  command -v "$tool" >/dev/null || { echo "speech samples: $tool not found; fix: apt-get install -y ${tool/dpkg-deb/dpkg}" >&2; exit 1; }
done
[ -r "$KEYRING" ] || { echo "speech samples: Debian keyring $KEYRING missing; fix: apt-get install -y debian-archive-keyring" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
# A private source list and package index: asterisk-prompt-de is in trixie (and bullseye) main, the English sounds
# in bookworm main. The system's own apt state is neither read nor changed.
cat >"$work/sources.list" <<EOF
deb [signed-by=$KEYRING] $MIRROR trixie main
deb [signed-by=$KEYRING] $MIRROR bookworm main
EOF
apt_opts=(-qq -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/nonexistent
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Debug::NoLocking=true
  -o APT::Sandbox::User=root)
echo "speech samples: fetching asterisk-prompt-de, asterisk-core-sounds-en(-wav), asterisk-moh-opsound-gsm from $MIRROR"
if ! apt-get "${apt_opts[@]}" update || ! (cd "$work/debs" && apt-get "${apt_opts[@]}" download \
    asterisk-prompt-de asterisk-core-sounds-en-wav asterisk-core-sounds-en asterisk-moh-opsound-gsm); then
  echo "speech samples: could not download the Debian packages from $MIRROR; fix: check the network or set DEBIAN_MIRROR" >&2
  exit 1
fi
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done

tmp="$DEST.partial"
rm -rf "$tmp"
mkdir -p "$tmp/de" "$tmp/en" "$tmp/moh"
cp -r "$work/root/usr/share/asterisk/sounds/de" "$tmp/de/gsm"
cp -r "$work/root/usr/share/asterisk/sounds/en_US_f_Allison" "$tmp/en/wav"
zcat "$work/root/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz" >"$tmp/en/core-sounds-en.txt"
cp "$work/root/usr/share/doc/asterisk-prompt-de/copyright" "$tmp/de/COPYRIGHT"
cp "$work/root/usr/share/doc/asterisk-core-sounds-en-wav/copyright" "$tmp/en/COPYRIGHT"
(cd "$tmp/de/gsm" && find . -name '*.gsm' -print0) | while IFS= read -r -d '' gsm; do
  out="$tmp/de/wav/${gsm%.gsm}.wav"
  mkdir -p "$(dirname "$out")"
  sox -q "$tmp/de/gsm/$gsm" -r 8000 -c 1 -b 16 -e signed-integer "$out"
done
for gsm in "$work"/root/usr/share/asterisk/moh/*.gsm; do
  name=$(basename "$gsm" .gsm)
  sox -q "$gsm" -r 8000 -c 1 -b 16 -e signed-integer "$tmp/moh/$name.wav"
done
printf 'de %s\nen %s\n' "$(find "$tmp/de/wav" -name '*.wav' | wc -l)" "$(find "$tmp/en/wav" -name '*.wav' | wc -l)" >"$tmp/COMPLETE"
rm -rf "$DEST"
mv "$tmp" "$DEST"
echo "speech samples: $(tr '\n' ' ' <"$DEST/COMPLETE")prompts in $DEST"
