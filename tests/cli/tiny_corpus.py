#!/usr/bin/env python3
"""The CLI tests' tiny German-English corpus, written to train/valid/test.{de,en} in the
current directory: "Der hund sieht den mann." -> "The dog sees the man." over 6 nouns and
4 verbs. Usage: tiny_corpus.py [TEST_END] (the test split is sentences 8 .. TEST_END-1, default 20)."""
import sys

nouns = [("hund","dog"),("katze","cat"),("mann","man"),("frau","woman"),("kind","child"),("vogel","bird")]
verbs = [("sieht","sees"),("mag","likes"),("ruft","calls"),("hört","hears")]
def write(name, rng):
    with open(name + ".de", "w") as de, open(name + ".en", "w") as en:
        for i in rng:
            a = nouns[i % 6]; v = verbs[(i // 6) % 4]; b = nouns[(i // 3 + 1) % 6]
            de.write(f"Der {a[0]} {v[0]} den {b[0]}.\n"); en.write(f"The {a[1]} {v[1]} the {b[1]}.\n")
test_end = int(sys.argv[1]) if len(sys.argv) > 1 else 20
write("train", range(48)); write("valid", range(8)); write("test", range(8, test_end))
