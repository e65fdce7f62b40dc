"""datasketch MinHash LSH on the same corpus as `tyndau-bench grouping`, for a side-by-side figure.

Reads a JSON Lines file (`id`, `text`, `group`), groups the texts with character 3-gram MinHash
(128 permutations) and LSH at Jaccard threshold 0.5, joining candidate pairs with union-find (the
usual way LSH output is turned into clusters), and prints `name=value` lines: time and B-cubed
against `group`.
"""
import json
import sys
import time

from datasketch import MinHash, MinHashLSH


def shingles(text):
    text = " ".join(text.lower().split())
    return {text[i:i + 3].encode("utf-8") for i in range(max(1, len(text) - 2))}


def b_cubed(predicted, truth):
    from collections import Counter
    pairs = Counter(zip(predicted, truth))
    p_sizes = Counter(predicted)
    t_sizes = Counter(truth)
    n = len(predicted)
    precision = sum(pairs[(p, t)] / p_sizes[p] for p, t in zip(predicted, truth)) / n
    recall = sum(pairs[(p, t)] / t_sizes[t] for p, t in zip(predicted, truth)) / n
    return precision, recall, 2 * precision * recall / (precision + recall)


def main(path):
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    start = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    hashes = []
    for index, row in enumerate(rows):
        minhash = MinHash(num_perm=128)
        minhash.update_batch(list(shingles(row["text"])))
        hashes.append(minhash)
        lsh.insert(index, minhash)
    parent = list(range(len(rows)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for index, minhash in enumerate(hashes):
        for other in lsh.query(minhash):
            a, b = find(index), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    predicted = [find(i) for i in range(len(rows))]
    seconds = time.perf_counter() - start
    precision, recall, f1 = b_cubed(predicted, [row["group"] for row in rows])
    print(f"datasketch_questions={len(rows)}")
    print(f"datasketch_seconds={seconds:.2f}")
    print(f"datasketch_topics={len(set(predicted))}")
    print(f"datasketch_b3_precision={precision:.3f} datasketch_b3_recall={recall:.3f} datasketch_b3_f1={f1:.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
