/**
 * Observed against expected, cell by cell, with the run's exit code. Three outcomes, kept apart as Cyclonus keeps
 * "check failed" apart from "blocked":
 * - match: the connection opened exactly where the engine says it must;
 * - mismatch: it opened where it must not, or did not where it must (after the re-probes);
 * - unmeasured: verify could not tell (the probe could not start, was forbidden, failed itself, or did not finish).
 */
import { Drift, hasDrift } from "./drift";
import { ProbeCell } from "./probePlan";
import { ProbeLog, ProbeResult } from "./probeScript";
import { ExpectedCell } from "./types";

export type Observation = { kind: "result"; attempts: ProbeResult[] } | { kind: "unmeasured"; reason: string };

export type Verdict = "match" | "mismatch" | "unmeasured";

export interface CellResult {
    cell: ExpectedCell | ProbeCell;
    observation: Observation;
    verdict: Verdict;
}

/** Results that say the probe itself went wrong (agnhost could not run, or could not resolve an address). */
const PROBE_FAILURES: readonly ProbeResult[] = ["DNS", "UNKNOWN"];

/** The final result of a cell's attempts decides; the earlier ones show how the cell got there. */
export function judge(cell: ExpectedCell, observation: Observation): CellResult {
    if (observation.kind === "unmeasured") return { cell, observation, verdict: "unmeasured" };
    const last = observation.attempts[observation.attempts.length - 1];
    if (last === undefined || PROBE_FAILURES.includes(last)) {
        const reason = last === undefined ? "no result in the probe's log" : `the probe failed (${last}${last === "DNS" ? ": could not resolve the address" : ": agnhost could not run"})`;
        return { cell, observation: { kind: "unmeasured", reason }, verdict: "unmeasured" };
    }
    return { cell, observation, verdict: (last === "CONNECTED") === cell.allowed ? "match" : "mismatch" };
}

/** Each cell of one source's probe, from its log; a log without the closing line leaves its missing cells unmeasured. */
export function observationsFromLog(cells: ProbeCell[], log: ProbeLog): CellResult[] {
    return cells.map((cell, index) => {
        const attempts = log.attempts.get(index) ?? [];
        if (attempts.length === 0) {
            const reason = log.finished ? "no result in the probe's log" : "the probe stopped before it tried this target";
            return judge(cell, { kind: "unmeasured", reason });
        }
        return judge(cell, { kind: "result", attempts });
    });
}

export interface Tally {
    match: number;
    mismatch: number;
    unmeasured: number;
}

export function tally(results: CellResult[]): Tally {
    const count = (v: Verdict) => results.filter((r) => r.verdict === v).length;
    return { match: count("match"), mismatch: count("mismatch"), unmeasured: count("unmeasured") };
}

export type Outcome = "pass" | "fail" | "unmeasured";

export const EXIT_CODES: Record<Outcome, number> = { pass: 0, fail: 1, unmeasured: 2 };

/**
 * Fail when anything is known to be wrong (a mismatch or drift), even if some cells could not be measured: what was
 * measured already proves it. Otherwise unmeasured when anything could not be measured (or nothing could). Else pass.
 */
export function outcome(run: { results: CellResult[]; drift?: Drift; fatal?: string; problems: string[] }): Outcome {
    const t = tally(run.results);
    if (t.mismatch > 0 || (run.drift !== undefined && hasDrift(run.drift))) return "fail";
    if (run.fatal !== undefined || run.drift === undefined || t.unmeasured > 0 || run.problems.length > 0 || run.results.length === 0) return "unmeasured";
    return "pass";
}
