#!/usr/bin/python3
"""OCR character error rate of predictions against a corpus truth.jsonl, over the predicted files only.

usage: ocr_cer.py TRUTH.jsonl PRED.jsonl [PRED2.jsonl ...] [--confusions]

CER is defined as in shared/corpus/score.py (whose Levenshtein it reuses): whitespace removed,
edit distance / truth length, mean over documents. Unlike score.py, documents missing from a
prediction file are left out rather than counted as CER 1.0, so a subset run (a quick measurement
on a few pages) gives a meaningful number. Several prediction files are scored on the documents
they all share, for a fair side-by-side. --confusions lists the commonest substitutions among
ASCII letters and digits, the ones that break identifiers (公民身份号码, 统一社会信用代码).
"""
import collections
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..',
                                'shared', 'corpus'))
from score import levenshtein, strip_ws  # noqa: E402


def load(path):
    out = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                out[os.path.basename(obj['file'])] = obj.get('text', '')
    return out


def substitutions(a, b):
    """(truth char, predicted char) pairs of one optimal alignment."""
    n, m = len(a), len(b)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
    i, j, pairs = n, m, []
    while i > 0 and j > 0:
        if d[i][j] == d[i - 1][j - 1] + (a[i - 1] != b[j - 1]):
            if a[i - 1] != b[j - 1]:
                pairs.append((a[i - 1], b[j - 1]))
            i, j = i - 1, j - 1
        elif d[i][j] == d[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return pairs


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    confusions = '--confusions' in sys.argv
    truth = {}
    with open(args[0], encoding='utf-8') as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                truth[obj['file']] = obj['text']
    preds = [(p, load(p)) for p in args[1:]]
    common = set(truth)
    for _, p in preds:
        common &= set(p)
    for path, p in preds:
        cers = []
        counts = collections.Counter()
        for name in sorted(common):
            t, h = strip_ws(truth[name]), strip_ws(p[name])
            cers.append(levenshtein(t, h) / max(1, len(t)))
            if confusions:
                for tc, hc in substitutions(t, h):
                    if tc.isascii() and tc.isalnum():
                        counts[(tc, hc)] += 1
        print(f'{path}: CER {sum(cers) / max(1, len(cers)):.4f} over {len(cers)} documents')
        if confusions:
            print('  ', ', '.join(f'{a}→{b}×{n}' for (a, b), n in counts.most_common(25)))


if __name__ == '__main__':
    main()
