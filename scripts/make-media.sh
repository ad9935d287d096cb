#!/usr/bin/env bash
# Generates Switchboard's default audio set: prompts and greetings spoken by espeak-ng,
# a beep and a hold-music loop made with sox; 8 kHz mono 16-bit WAV, what rtpengine
# plays to telephone calls without resampling.
#
# Idempotent: only missing files are made, each written to a temporary name first, so an
# interrupted run never leaves a truncated WAV behind. Delete a file to regenerate it.
# The list must match DEFAULT_MEDIA_FILES in src/media/announcements.ts (a test checks).
#
# Usage: scripts/make-media.sh [DIR]     (default: config/media next to this script)
set -euo pipefail

dir=${1:-"$(cd "$(dirname "$0")/.." && pwd)/config/media"}
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-media: $tool is missing (apt-get install espeak-ng sox)" >&2; exit 1; }
done

work=$(mktemp -d -t switchboard-media.XXXXXX)
trap 'rm -rf "$work"' EXIT
made=0

# Telephone format, normalised to -3 dBFS, leading/trailing silence cut to 50/150 ms so
# that fragments chain without long gaps.
TELEPHONE=(-r 8000 -c 1 -b 16 -e signed-integer)

speak() { # speak FILE TEXT
  local out="$dir/$1" text=$2
  [ -s "$out" ] && return 0
  mkdir -p "$(dirname "$out")"
  espeak-ng -v en-us -s 150 -w "$work/voice.wav" "$text"
  sox "$work/voice.wav" "${TELEPHONE[@]}" "$work/out.wav" \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0.05 0.15 norm -3
  mv "$work/out.wav" "$out"
  made=$((made + 1))
}

beep() { # 1 kHz for 400 ms, the conventional voicemail tone
  local out="$dir/$1"
  [ -s "$out" ] && return 0
  mkdir -p "$(dirname "$out")"
  sox -n "${TELEPHONE[@]}" "$work/out.wav" synth 0.4 sine 1000 fade 0.01 0.4 0.01 vol 0.5
  mv "$work/out.wav" "$out"
  made=$((made + 1))
}

hold_music() { # a plucked I-vi-IV-V arpeggio, about 10 s, that loops without a click
  local out="$dir/$1" parts=() i=0
  [ -s "$out" ] && return 0
  mkdir -p "$(dirname "$out")"
  for note in C4 E4 G4 E4 A3 C4 E4 C4 F3 A3 C4 A3 G3 B3 D4 B3; do
    i=$((i + 1))
    sox -n "${TELEPHONE[@]}" "$work/note$i.wav" synth 0.3 pluck "$note" fade 0 0.3 0.08
    parts+=("$work/note$i.wav")
  done
  sox "${parts[@]}" "$work/phrase.wav"
  sox "$work/phrase.wav" "${TELEPHONE[@]}" "$work/out.wav" repeat 1 norm -6
  mv "$work/out.wav" "$out"
  made=$((made + 1))
}

words=(zero one two three four five six seven eight nine ten eleven twelve thirteen
  fourteen fifteen sixteen seventeen eighteen nineteen)
for n in "${!words[@]}"; do speak "numbers/$n.wav" "${words[$n]}"; done
tens=([20]=twenty [30]=thirty [40]=forty [50]=fifty [60]=sixty [70]=seventy [80]=eighty [90]=ninety)
for n in "${!tens[@]}"; do speak "numbers/$n.wav" "${tens[$n]}"; done
speak numbers/hundred.wav "hundred"

speak prompts/you-are-caller-number.wav "You are caller number"
speak prompts/your-estimated-wait-time-is.wav "Your estimated wait time is"
speak prompts/less-than.wav "less than"
speak prompts/minute.wav "minute"
speak prompts/minutes.wav "minutes"
speak prompts/please-hold.wav "Please hold."
speak prompts/press-1-for-callback.wav "To be called back instead of waiting, press 1."
speak prompts/callback-confirmed.wav "Thank you. We will call you back as soon as an agent is free. Goodbye."
speak prompts/goodbye.wav "Goodbye."
speak prompts/main-menu.wav "Thank you for calling. For support, press 1. For billing, press 2. For German, press 3. To speak to an operator, press 0. To hear these options again, press star."
speak prompts/invalid.wav "Sorry, that is not a valid choice."
speak prompts/after-hours.wav "Thank you for calling. Our office is closed right now. Please call again during business hours, or leave a message after the tone."
beep prompts/beep.wav

speak greetings/standard.wav "The person you are calling is not available. Please leave a message after the tone."
speak greetings/general.wav "You have reached the general mailbox. Please leave a message after the tone."
speak greetings/support.wav "You have reached support. Please leave your name, your number and a short message after the tone, and we will call you back."

hold_music music/hold.wav

echo "make-media: $made file(s) generated in $dir"
