/** "Did you mean": the candidates closest to a mistyped word, by edit distance. */

/** Up to `limit` candidates within a typo's distance of `word`, closest first. */
export function closeMatches(word: string, candidates: Iterable<string>, limit = 3): string[] {
    const threshold = Math.max(2, Math.floor(word.length / 3));
    return [...new Set(candidates)]
        // The distance is at least the difference in length: far longer or shorter candidates are not measured.
        .filter((candidate) => Math.abs(candidate.length - word.length) <= threshold)
        .map((candidate) => ({ candidate, distance: editDistance(word.toLowerCase(), candidate.toLowerCase()) }))
        .filter((c) => c.distance <= threshold)
        .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
        .slice(0, limit)
        .map((c) => c.candidate);
}

/** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
export function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
        }
        previous = current;
    }
    return previous[b.length];
}
