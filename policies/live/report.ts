/**
 * What verify prints: the expected and observed grids (rows: from, columns: to, as `plan` draws them), then what
 * differs with the command to try each cell by hand, what could not be measured and why, and the result. And the same
 * as JSON, for machines.
 */
import { MARKS, TruthTable } from "../netpol/truthTable";
import { CellResult, EXIT_CODES, Outcome, outcome, tally } from "./compare";
import { Drift, PolicyChange } from "./drift";
import { ProbeResult } from "./probeScript";
import { cellId, columnOf } from "./types";

export interface VerifyRun {
    stack: string;
    stage: string;
    policyEngine: string;
    /** The kubeconfig context and API server measured. */
    cluster: string;
    settings: { target: string; timeoutSeconds: number; settleSeconds: number };
    /** Why nothing (more) could be measured, when that happened. */
    fatal?: string;
    drift?: Drift;
    /** Sources that could not be probed and other things that kept cells from being measured. */
    problems: string[];
    /** Row order: the demo workloads. */
    workloads: string[];
    results: CellResult[];
    /** For each differing cell (by cellId): how to try it by hand. */
    reproduce: Record<string, string>;
    /** Declared ports verify does not probe (not TCP). */
    unprobed: string[];
}

/** Observed marks: the connection opened, or how it did not, or that there is no measurement. */
const OBSERVED_MARKS: Record<ProbeResult | "unmeasured", string> = {
    CONNECTED: MARKS.allowed,
    TIMEOUT: MARKS.denied,
    REFUSED: "R",
    OTHER: "E",
    DNS: "!",
    UNKNOWN: "!",
    unmeasured: "!",
};

const OUTCOME_WORDS: Record<Outcome, string> = { pass: "PASS", fail: "FAIL", unmeasured: "NOT MEASURED" };

export function exitCodeOf(run: VerifyRun): number {
    return EXIT_CODES[outcome(run)];
}

export function formatText(run: VerifyRun): string {
    const lines = [`verify: stack ${run.stack} (stage ${run.stage}, policy engine ${run.policyEngine}) on ${run.cluster}`, ""];
    if (run.drift) lines.push(...driftLines(run.drift), "");
    if (run.results.length > 0) lines.push(...gridLines(run), "");
    lines.push(...differenceLines(run), ...settledLines(run), ...unmeasuredLines(run));
    if (run.fatal !== undefined) lines.push(`Could not measure: ${run.fatal}`, "");
    if (run.unprobed.length > 0) lines.push(`Not probed (verify probes TCP only): ${run.unprobed.join(", ")}`, "");
    lines.push(resultLine(run));
    return lines.join("\n") + "\n";
}

function driftLines(drift: Drift): string[] {
    const count = drift.missing.length + drift.extra.length + drift.changed.length;
    if (count === 0) return ["Drift: none; the demo namespaces' NetworkPolicies are the ones the stack deploys."];
    return [
        `Drift: ${count} NetworkPolic${count === 1 ? "y differs" : "ies differ"} from what the stack deploys:`,
        ...drift.missing.map((p) => `  missing ${p}: the stack deploys it; the cluster does not have it`),
        ...drift.extra.map((p) => `  extra   ${p}: in the cluster, not in the stack (applied by hand, or left behind)`),
        ...drift.changed.flatMap((c) => [`  changed ${c.policy}:`, ...c.changes.map((change) => `    ${changeText(change)}`)]),
    ];
}

/** Values from the cluster are echoed at most this long. */
const MAX_ECHO = 120;

function changeText(c: PolicyChange): string {
    const show = (v: unknown) => (v === undefined ? "absent" : clip(JSON.stringify(v)));
    return `${c.path}: the stack says ${show(c.intended)}, the cluster has ${show(c.live)}`;
}

export function clip(text: string, max = MAX_ECHO): string {
    return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

function gridLines(run: VerifyRun): string[] {
    const columns = [...new Set(run.results.map((r) => columnOf(r.cell)))].sort();
    const expected = new TruthTable<string>(run.workloads, columns);
    const observed = new TruthTable<string>(run.workloads, columns);
    for (const r of run.results) {
        expected.set(r.cell.from, columnOf(r.cell), r.cell.allowed ? MARKS.allowed : MARKS.denied);
        const o = r.observation;
        observed.set(r.cell.from, columnOf(r.cell), OBSERVED_MARKS[o.kind === "result" ? o.attempts[o.attempts.length - 1] : "unmeasured"]);
    }
    // TruthTable prints the grid, a blank line, then the legend of columns: the legend is printed once, at the end.
    const grid = (t: TruthTable<string>) => t.print((v) => v ?? "").split("\n\n")[0];
    return [
        `Expected (the engine over the live objects; ${MARKS.allowed} allowed, ${MARKS.denied} blocked; rows: from, columns: to):`,
        "",
        grid(expected),
        "",
        `Observed (agnhost connect from inside a pod of each source; ${MARKS.allowed} connected, ${MARKS.denied} timed out, R refused, E other network error, ! not measured):`,
        "",
        grid(observed),
        "",
        "Columns:",
        expected.print(() => "").split("\n\n")[1],
    ];
}

function differenceLines(run: VerifyRun): string[] {
    const differing = run.results.filter((r) => r.verdict === "mismatch");
    if (differing.length === 0) return [];
    return [
        `Differences (${differing.length}), after re-probing each for up to ${run.settings.settleSeconds} s:`,
        ...differing.flatMap((r) => {
            const attempts = r.observation.kind === "result" ? r.observation.attempts : [];
            const via = "via" in r.cell ? ` via ${r.cell.via} ${r.cell.address}` : "";
            return [
                `  ${cellId(r.cell)}: expected ${r.cell.allowed ? "allowed" : "blocked"}, observed ${attempts[attempts.length - 1]}${via} (${attempts.length} attempt${attempts.length === 1 ? "" : "s"})`,
                ...(run.reproduce[cellId(r.cell)] ? [`    try it: ${run.reproduce[cellId(r.cell)]}`] : []),
            ];
        }),
        "",
    ];
}

/** Cells that were wrong at first and right after re-probing: a policy taking effect while verify looked. */
function settledLines(run: VerifyRun): string[] {
    const settled = run.results.filter((r) => r.verdict === "match" && r.observation.kind === "result" && r.observation.attempts.length > 1);
    if (settled.length === 0) return [];
    return [
        `Matched only after re-probing (${settled.length}; policies take effect a few seconds after they are applied):`,
        ...settled.map((r) => `  ${cellId(r.cell)}: ${r.observation.kind === "result" ? r.observation.attempts.join(" ") : ""}`),
        "",
    ];
}

/** Unmeasured cells grouped by source and reason: one line for a probe that could not start, not one per cell. */
function unmeasuredLines(run: VerifyRun): string[] {
    const groups = new Map<string, { from: string; reason: string; cells: number }>();
    for (const r of run.results) {
        if (r.observation.kind !== "unmeasured") continue;
        const key = `${r.cell.from}\u0000${r.observation.reason}`;
        const group = groups.get(key) ?? { from: r.cell.from, reason: r.observation.reason, cells: 0 };
        group.cells++;
        groups.set(key, group);
    }
    if (groups.size === 0 && run.problems.length === 0) return [];
    const unmeasured = tally(run.results).unmeasured;
    return [
        `Not measured (${unmeasured} cell${unmeasured === 1 ? "" : "s"}):`,
        ...run.problems.map((p) => `  ${p}`),
        ...[...groups.values()].map((g) => `  from ${g.from} (${g.cells} cell${g.cells === 1 ? "" : "s"}): ${g.reason}`),
        "",
    ];
}

function resultLine(run: VerifyRun): string {
    const t = tally(run.results);
    const o = outcome(run);
    const drift = run.drift ? run.drift.missing.length + run.drift.extra.length + run.drift.changed.length : undefined;
    const driftText = drift === undefined ? "drift not checked" : `${drift} polic${drift === 1 ? "y" : "ies"} drifted`;
    return `Result: ${OUTCOME_WORDS[o]}: ${t.match} cells match, ${t.mismatch} differ, ${t.unmeasured} not measured; ${driftText} (exit ${EXIT_CODES[o]})`;
}

/** The JSON form: the same facts, one object per cell. */
export function formatJson(run: VerifyRun): string {
    const o = outcome(run);
    return JSON.stringify({
        stack: run.stack,
        stage: run.stage,
        policyEngine: run.policyEngine,
        cluster: run.cluster,
        settings: run.settings,
        outcome: o,
        exitCode: EXIT_CODES[o],
        summary: tally(run.results),
        drift: run.drift ?? null,
        fatal: run.fatal ?? null,
        problems: run.problems,
        unprobed: run.unprobed,
        cells: run.results.map((r) => ({
            from: r.cell.from,
            to: r.cell.to,
            port: r.cell.port,
            protocol: r.cell.protocol,
            expected: r.cell.allowed ? "allowed" : "blocked",
            observed: r.observation.kind === "result" ? r.observation.attempts[r.observation.attempts.length - 1] : null,
            attempts: r.observation.kind === "result" ? r.observation.attempts : [],
            verdict: r.verdict,
            ...("via" in r.cell ? { via: r.cell.via, address: r.cell.address } : {}),
            ...(r.observation.kind === "unmeasured" ? { reason: r.observation.reason } : {}),
            ...(run.reproduce[cellId(r.cell)] ? { reproduce: run.reproduce[cellId(r.cell)] } : {}),
        })),
    }, null, 2) + "\n";
}
