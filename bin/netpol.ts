/**
 * netpol: who can talk to whom under Kubernetes NetworkPolicy, from manifests alone.
 *
 *   npm run --silent netpol -- check <path>... --expect <flows-file> [--json]
 *   npm run --silent netpol -- matrix <path>... [--port P] [--protocol T] [--namespace NS]... [--format text|json|svg]
 *   npm run --silent netpol -- explain <path>... --from X --to Y --port P [--protocol T]
 *   npm run --silent netpol -- diff <before> <after> [--json]        (bin/netpolDiff.ts)
 *
 * A path `-` reads manifests from standard input, as does `--expect -` a flows file.
 *
 * Exit codes: 0 every flow as expected (or the command succeeded), 1 some flow not as expected, 2 invalid input or
 * usage, 3 a bug in netpol itself.
 */
import { Command, CommanderError, Option } from "commander";
import * as fs from "fs";
import { Analysis, analyze, evaluateFlow, requireEndpoints, resolveFlow } from "../policies/netpol/analysis";
import { formatProblem, InputError, Problems } from "../policies/netpol/errors";
import { Flow } from "../policies/netpol/evaluate";
import { describeFlow, explain, notes, reasonFor } from "../policies/netpol/explain";
import { loadFlows } from "../policies/netpol/flowsFile";
import { MAX_MATRIX_CELLS, MAX_SVG_ENDPOINTS } from "../policies/netpol/limits";
import { loadManifests } from "../policies/netpol/load";
import { connectivityMatrix, matrixFlows, MatrixOptions, matrixShape } from "../policies/netpol/matrix";
import { matrixGrid, matrixJson } from "../policies/netpol/matrixFormat";
import { STDIN_NAME, StdinReader } from "../policies/netpol/read";
import { show } from "../policies/netpol/show";
import { closeMatches } from "../policies/netpol/suggest";
import { renderSvg } from "../policies/netpol/svg";
import { GRID_LEGEND } from "../policies/netpol/truthTable";
import { Protocol } from "../policies/netpol/types";
import { registerDiff } from "./netpolDiff";

/**
 * What a command prints and how it exits; commands return this instead of writing, so nothing is half-printed. A
 * large output (a matrix of millions of cells) is a sequence of pieces, made as it is written; every check that can
 * fail is done before the first piece.
 */
export interface Result {
    stdout: string | Iterable<string>;
    stderr?: string;
    exitCode: number;
}

/** Where input comes from besides files: standard input, for the path `-` (tests give their own). */
export interface Io {
    stdin?: StdinReader;
}

function load(paths: string[], io: Io): Analysis {
    const analysis = analyze(loadManifests(paths, { stdin: io.stdin }));
    requireEndpoints(analysis, paths.map((p) => (p === "-" ? STDIN_NAME : p)).join(", "));
    return analysis;
}

function check(paths: string[], options: { expect: string; json?: boolean }, io: Io): Result {
    if (options.expect === "-" && paths.includes("-")) {
        throw new InputError([{ message: "standard input can be read once: give the manifests or the flows file (--expect) as -, not both" }]);
    }
    const analysis = load(paths, io);
    const problems = new Problems();
    const expected = loadFlows(options.expect, problems, io.stdin);
    // Resolve every flow before evaluating any, so a typo in the last flow is reported before anything is printed.
    const flows = expected.map((e) => resolveFlow(analysis, e.spec, problems.at(e.source), (field) => `[${e.index}].${field}`));
    problems.throwIfAny();
    // The reasons are gathered only where they are printed: for every flow in JSON, for failures in text.
    const results = flows.map((flow, i) => ({ flow: flow!, expected: expected[i].allowed, allowed: analysis.reachability.isAllowed(flow!) }));
    const reason = (flow: Flow) => reasonFor(flow, analysis.reachability.evaluate(flow));
    const failed = results.filter((r) => r.expected !== r.allowed).length;
    const passed = results.length - failed;
    const exitCode = failed > 0 ? 1 : 0;
    if (options.json) {
        const json = {
            results: results.map((r) => ({
                from: r.flow.from.id, to: r.flow.to.id, port: r.flow.port, protocol: r.flow.protocol,
                expected: r.expected, actual: r.allowed, pass: r.expected === r.allowed, reason: reason(r.flow),
            })),
            passed,
            failed,
        };
        return { stdout: JSON.stringify(json, null, 2) + "\n", stderr: lines(notes(analysis)), exitCode };
    }
    const verdictWord = (allowed: boolean) => (allowed ? "allowed" : "denied");
    const body = results.map((r) =>
        r.expected === r.allowed
            ? `PASS  ${describeFlow(r.flow)}: ${verdictWord(r.expected)}`
            : `FAIL  ${describeFlow(r.flow)}: expected ${verdictWord(r.expected)}, got ${reason(r.flow)}`,
    );
    return { stdout: lines([...notes(analysis), ...body, `${passed} passed, ${failed} failed`]), exitCode };
}

interface MatrixCommandOptions {
    port?: number;
    protocol: Protocol;
    format: string;
    namespace: string[];
}

function matrix(paths: string[], options: MatrixCommandOptions, io: Io): Result {
    const analysis = load(paths, io);
    const matrixOptions = { port: options.port, protocol: options.protocol, namespaces: options.namespace };
    checkNamespaces(analysis, options.namespace);
    refuseOversized(analysis, matrixOptions, options.format);
    const result = connectivityMatrix(analysis, matrixOptions);
    const noted = notes(analysis);
    switch (options.format) {
        case "json":
            return { stdout: matrixJson(result), stderr: lines(noted), exitCode: 0 };
        case "svg": {
            const flows = [...matrixFlows(result)];
            return { stdout: renderSvg(result.rows.map((e) => e.id), flows, "NetworkPolicy connectivity"), stderr: lines(noted), exitCode: 0 };
        }
        default: {
            const skipped = result.portless.length > 0 ? [`not shown (no declared ports; use --port): ${result.portless.join(", ")}`] : [];
            const head = lines([...noted, ...GRID_LEGEND, ""]);
            if (result.columns.length === 0) return { stdout: head + lines(["no destination declares a port; use --port", ...skipped]), exitCode: 0 };
            return { stdout: concat([head], matrixGrid(result), [lines(skipped)]), exitCode: 0 };
        }
    }
}

/** Every `--namespace` must name a namespace of the input: a typo would otherwise print an empty matrix. */
function checkNamespaces(analysis: Analysis, namespaces: string[]): void {
    const known = [...analysis.model.namespaces.keys()];
    const problems = namespaces.filter((ns) => !analysis.model.namespaces.has(ns)).map((ns) => {
        const close = closeMatches(ns, known);
        return { message: `--namespace ${show(ns)}: no such namespace in the input${close.length > 0 ? `; did you mean ${close.join(", ")}?` : ""}` };
    });
    if (problems.length > 0) throw new InputError(problems);
}

/** A command that would produce more than anyone can use, refused before any work (exit 2, like invalid input). */
class Refusal extends Error {}

/** Refuses, before any work, a matrix too large to print or to read; says what to do instead. */
function refuseOversized(analysis: Analysis, options: MatrixOptions, format: string): void {
    const { rows, columns } = matrixShape(analysis, options);
    const cells = rows.length * columns.length;
    const narrow = "narrow it to some namespaces with --namespace, or check the flows that matter with `netpol check`";
    if (cells > MAX_MATRIX_CELLS) {
        throw new Refusal(`the matrix would have ${rows.length.toLocaleString("en-US")} sources times ${columns.length.toLocaleString("en-US")} destination ports, ${cells.toLocaleString("en-US")} cells, over the limit of ${MAX_MATRIX_CELLS.toLocaleString("en-US")}; ${narrow}`);
    }
    if (format === "svg" && rows.length > MAX_SVG_ENDPOINTS) {
        throw new Refusal(`a picture of ${rows.length} workloads would be unreadable; the limit is ${MAX_SVG_ENDPOINTS}: ${narrow}`);
    }
}

function* concat(...parts: Iterable<string>[]): Generator<string> {
    for (const part of parts) yield* part;
}

function explainFlow(paths: string[], options: { from: string; to: string; port: string; protocol: string }, io: Io): Result {
    const analysis = load(paths, io);
    const { flow, verdict } = evaluateFlow(analysis, options, (field) => `--${field}`);
    return { stdout: lines(explain(analysis, flow, verdict)), exitCode: 0 };
}

function lines(list: string[]): string {
    return list.length > 0 ? list.join("\n") + "\n" : "";
}

function parsePort(text: string): number {
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
        throw new InputError([{ message: `--port must be a whole number from 1 to 65535, got ${JSON.stringify(text)}` }]);
    }
    return Number(text);
}

const PATHS = "YAML or JSON files, directories searched recursively, or - for standard input";

const protocolOption = () => new Option("--protocol <protocol>", "TCP, UDP or SCTP").choices(["TCP", "UDP", "SCTP"]).default("TCP");

/** Runs netpol with `argv` (without node and script) and returns what to print; never throws, never exits. */
export function run(argv: string[], io: Io = {}): Result {
    let result: Result | undefined;
    const program = new Command("netpol")
        .description("Who can talk to whom under Kubernetes NetworkPolicy, computed from manifests")
        .exitOverride()
        .configureOutput({ writeOut: (s) => (result = { stdout: s, exitCode: 0 }), writeErr: (s) => (result = { stdout: "", stderr: s, exitCode: 2 }) });
    program
        .command("check")
        .description("check expected flows against the manifests")
        .argument("<paths...>", PATHS)
        .requiredOption("--expect <file>", "flows file: a list of {from, to, port, protocol?, allowed} (- for standard input)")
        .option("--json", "print results as JSON")
        .action((paths, options) => {
            result = check(paths, options, io);
        });
    program
        .command("matrix")
        .description("print who can reach whom, on each port each destination declares")
        .argument("<paths...>", PATHS)
        .option("--port <port>", "check this port on every destination instead", parsePort)
        .addOption(protocolOption())
        .option("-n, --namespace <namespace>", "only endpoints in this namespace (repeatable)", (v: string, all: string[]) => [...all, v], [] as string[])
        .addOption(new Option("--format <format>", "output format").choices(["text", "json", "svg"]).default("text"))
        .action((paths, options) => {
            result = matrix(paths, options, io);
        });
    program
        .command("explain")
        .description("explain the verdict on one flow")
        .argument("<paths...>", PATHS)
        .requiredOption("--from <endpoint>", "namespace/name of a Pod or workload, or ip:<address>")
        .requiredOption("--to <endpoint>", "namespace/name of a Pod or workload, or ip:<address>")
        .requiredOption("--port <port>", "port number, or a port name of the destination")
        .addOption(protocolOption())
        .action((paths, options) => {
            result = explainFlow(paths, options, io);
        });
    registerDiff(program, (r) => (result = r));

    try {
        program.parse(argv, { from: "user" });
    } catch (e) {
        if (e instanceof Refusal) return { stdout: "", stderr: `netpol: ${e.message}\n`, exitCode: 2 };
        if (e instanceof InputError) return { stdout: "", stderr: `netpol: invalid input:\n${e.problems.map((p) => `  ${formatProblem(p)}`).join("\n")}\n`, exitCode: 2 };
        if (e instanceof CommanderError) return result ?? { stdout: "", stderr: `${e.message}\n`, exitCode: e.exitCode === 0 ? 0 : 2 };
        return { stdout: "", stderr: `netpol: internal error (please report it): ${(e as Error).stack ?? e}\n`, exitCode: 3 };
    }
    return result ?? { stdout: program.helpInformation(), exitCode: 2 };
}

/** Writes all of `text` to `fd`, waiting out a full pipe (a non-blocking descriptor answers EAGAIN then). */
function writeAll(fd: number, text: string): void {
    let buffer = Buffer.from(text);
    while (buffer.length > 0) {
        try {
            buffer = buffer.subarray(fs.writeSync(fd, buffer));
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
        }
    }
}

if (require.main === module) {
    const result = run(process.argv.slice(2));
    try {
        for (const piece of typeof result.stdout === "string" ? [result.stdout] : result.stdout) writeAll(1, piece);
        if (result.stderr) writeAll(2, result.stderr);
        process.exitCode = result.exitCode;
    } catch (e) {
        // The reader went away (`| head`): what it wanted it has; anything else is worth saying.
        if ((e as NodeJS.ErrnoException).code !== "EPIPE") throw e;
        process.exitCode = result.exitCode;
    }
}
