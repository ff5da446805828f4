#!/bin/sh
# Regenerates english-words.gz: the English words of four letters or more
# from SCOWL (Debian package scowl, sizes 10 to 50: common words, American,
# British and shared spellings). Triage never "corrects" a real word into a
# red-flag word (spelling is not swelling), so it needs to know them.
#   apt-get install -y scowl && sh knowledge/dict/gen.sh
set -eu
cd "$(dirname "$0")"
cat /usr/share/dict/scowl/english-words.10 /usr/share/dict/scowl/english-words.20 \
    /usr/share/dict/scowl/english-words.35 /usr/share/dict/scowl/english-words.40 \
    /usr/share/dict/scowl/english-words.50 \
    /usr/share/dict/scowl/american-words.10 /usr/share/dict/scowl/american-words.20 \
    /usr/share/dict/scowl/american-words.35 /usr/share/dict/scowl/american-words.40 \
    /usr/share/dict/scowl/american-words.50 \
    /usr/share/dict/scowl/british-words.10 /usr/share/dict/scowl/british-words.20 \
    /usr/share/dict/scowl/british-words.35 /usr/share/dict/scowl/british-words.40 \
    /usr/share/dict/scowl/british-words.50 |
  iconv -f latin1 -t utf-8 | tr 'A-Z' 'a-z' | grep -v "'" | grep '^[a-z]*$' |
  awk 'length($0) >= 4' | LC_ALL=C sort -u | gzip -9n > english-words.gz
cp /usr/share/doc/scowl/copyright COPYING.scowl
