/**
 * netpol: who can talk to whom under Kubernetes NetworkPolicy, from manifests alone.
 *
 *   npm run --silent netpol -- check <path>... --expect <flows-file> [--json]
 *   npm run --silent netpol -- matrix <path>... [--port P] [--protocol T] [--format text|json|svg]
 *   npm run --silent netpol -- explain <path>... --from X --to Y --port P [--protocol T]
 *   npm run --silent netpol -- diff <before> <after> [--json]        (bin/netpolDiff.ts)
 *
 * Exit codes: 0 every flow as expected (or the command succeeded), 1 some flow not as expected, 2 invalid input or
 * usage, 3 a bug in netpol itself.
 */
import { Command, CommanderError, Option } from "commander";
import { Analysis, analyze, evaluateFlow, resolveFlow } from "../policies/netpol/analysis";
import { formatProblem, InputError, Problems } from "../policies/netpol/errors";
import { describeFlow, explain, notes, reasonFor } from "../policies/netpol/explain";
import { loadFlows } from "../policies/netpol/flowsFile";
import { loadManifests } from "../policies/netpol/load";
import { connectivityMatrix } from "../policies/netpol/matrix";
import { renderSvg } from "../policies/netpol/svg";
import { reachabilityMark } from "../policies/netpol/truthTable";
import { Protocol } from "../policies/netpol/types";
import { registerDiff } from "./netpolDiff";

/** What a command prints and how it exits; commands return this instead of writing, so nothing is half-printed. */
interface Result {
    stdout: string;
    stderr?: string;
    exitCode: number;
}

function load(paths: string[]): Analysis {
    return analyze(loadManifests(paths));
}

function check(paths: string[], options: { expect: string; json?: boolean }): Result {
    const analysis = load(paths);
    const problems = new Problems();
    const expected = loadFlows(options.expect, problems);
    // Resolve every flow before evaluating any, so a typo in the last flow is reported before anything is printed.
    const flows = expected.map((e, i) => resolveFlow(analysis, e.spec, problems.at(e.source), (field) => `[${i}].${field}`));
    problems.throwIfAny();
    const results = flows.map((flow, i) => {
        const verdict = analysis.reachability.evaluate(flow!);
        return { flow: flow!, expected: expected[i].allowed, actual: verdict.allowed, reason: reasonFor(flow!, verdict) };
    });
    const failed = results.filter((r) => r.expected !== r.actual).length;
    const passed = results.length - failed;
    if (options.json) {
        const json = {
            results: results.map((r) => ({
                from: r.flow.from.id, to: r.flow.to.id, port: r.flow.port, protocol: r.flow.protocol,
                expected: r.expected, actual: r.actual, pass: r.expected === r.actual, reason: r.reason,
            })),
            passed,
            failed,
        };
        return { stdout: JSON.stringify(json, null, 2) + "\n", stderr: lines(notes(analysis)), exitCode: failed > 0 ? 1 : 0 };
    }
    const verdictWord = (allowed: boolean) => (allowed ? "allowed" : "denied");
    const body = results.map((r) =>
        r.expected === r.actual
            ? `PASS  ${describeFlow(r.flow)}: ${verdictWord(r.actual)}`
            : `FAIL  ${describeFlow(r.flow)}: expected ${verdictWord(r.expected)}, got ${r.reason}`,
    );
    return { stdout: lines([...notes(analysis), ...body, `${passed} passed, ${failed} failed`]), exitCode: failed > 0 ? 1 : 0 };
}

function matrix(paths: string[], options: { port?: number; protocol: Protocol; format: string }): Result {
    const analysis = load(paths);
    const result = connectivityMatrix(analysis, { port: options.port, protocol: options.protocol });
    switch (options.format) {
        case "json":
            return { stdout: JSON.stringify(result.flows, null, 2) + "\n", stderr: lines(notes(analysis)), exitCode: 0 };
        case "svg":
            return { stdout: renderSvg(result.table.froms.slice(), result.flows, "NetworkPolicy connectivity"), stderr: lines(notes(analysis)), exitCode: 0 };
        default: {
            const skipped = result.portless.length > 0 ? [`not shown (no declared ports; use --port): ${result.portless.join(", ")}`] : [];
            const grid = result.table.tos.length > 0 ? result.table.print(reachabilityMark) : "no destination declares a port; use --port";
            return { stdout: lines([...notes(analysis), `. allowed   X denied   (rows: from, columns: to)`, "", grid, ...skipped]), exitCode: 0 };
        }
    }
}

function explainFlow(paths: string[], options: { from: string; to: string; port: string; protocol: string }): Result {
    const analysis = load(paths);
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

const protocolOption = () => new Option("--protocol <protocol>", "TCP, UDP or SCTP").choices(["TCP", "UDP", "SCTP"]).default("TCP");

/** Runs netpol with `argv` (without node and script) and returns what to print; never throws, never exits. */
export function run(argv: string[]): Result {
    let result: Result | undefined;
    const program = new Command("netpol")
        .description("Who can talk to whom under Kubernetes NetworkPolicy, computed from manifests")
        .exitOverride()
        .configureOutput({ writeOut: (s) => (result = { stdout: s, exitCode: 0 }), writeErr: (s) => (result = { stdout: "", stderr: s, exitCode: 2 }) });
    program
        .command("check")
        .description("check expected flows against the manifests")
        .argument("<paths...>", "YAML or JSON files, or directories searched recursively")
        .requiredOption("--expect <file>", "flows file: a list of {from, to, port, protocol?, allowed}")
        .option("--json", "print results as JSON")
        .action((paths, options) => {
            result = check(paths, options);
        });
    program
        .command("matrix")
        .description("print who can reach whom, on each port each destination declares")
        .argument("<paths...>", "YAML or JSON files, or directories searched recursively")
        .option("--port <port>", "check this port on every destination instead", parsePort)
        .addOption(protocolOption())
        .addOption(new Option("--format <format>", "output format").choices(["text", "json", "svg"]).default("text"))
        .action((paths, options) => {
            result = matrix(paths, options);
        });
    program
        .command("explain")
        .description("explain the verdict on one flow")
        .argument("<paths...>", "YAML or JSON files, or directories searched recursively")
        .requiredOption("--from <endpoint>", "namespace/name of a Pod or workload, or ip:<address>")
        .requiredOption("--to <endpoint>", "namespace/name of a Pod or workload, or ip:<address>")
        .requiredOption("--port <port>", "port number, or a port name of the destination")
        .addOption(protocolOption())
        .action((paths, options) => {
            result = explainFlow(paths, options);
        });
    registerDiff(program, (r) => (result = r));

    try {
        program.parse(argv, { from: "user" });
    } catch (e) {
        if (e instanceof InputError) return { stdout: "", stderr: `netpol: invalid input:\n${e.problems.map((p) => `  ${formatProblem(p)}`).join("\n")}\n`, exitCode: 2 };
        if (e instanceof CommanderError) return result ?? { stdout: "", stderr: `${e.message}\n`, exitCode: e.exitCode === 0 ? 0 : 2 };
        return { stdout: "", stderr: `netpol: internal error (please report it): ${(e as Error).stack ?? e}\n`, exitCode: 3 };
    }
    return result ?? { stdout: program.helpInformation(), exitCode: 2 };
}

if (require.main === module) {
    const result = run(process.argv.slice(2));
    process.stdout.write(result.stdout);
    if (result.stderr) process.stderr.write(result.stderr);
    process.exitCode = result.exitCode;
}
