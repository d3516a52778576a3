/**
 * plan: what `pulumi up` would create for a stack, and who could then talk to whom, computed offline. Runs the real
 * index.ts under Pulumi's mocks with the stack's config, so it needs no AWS, no network and no Pulumi CLI.
 *
 *   npm run --silent plan -- [--stack NAME] [--stage S] [--set key=value]... [--format text|json|yaml|svg]
 *
 * Exit codes: 0 done, 2 invalid configuration or usage (the same message `pulumi up` would give), 3 a bug.
 */
import { Command, CommanderError, Option } from "commander";
import * as fs from "fs";
import { CORE_SCHEMA, load as loadYaml } from "js-yaml";
import * as path from "path";
import { stringify } from "yaml";
import { PROJECT, runProgram } from "./offlineProgram";
import { PlanReport, planReport } from "./planReport";
import { renderSvg } from "../policies/netpol/svg";
import { TruthTable, reachabilityMark } from "../policies/netpol/truthTable";

interface Result {
    stdout: string;
    stderr?: string;
    exitCode: number;
}

interface PlanOptions {
    stack: string;
    stage?: string;
    set: string[];
    format: "text" | "json" | "yaml" | "svg";
}

const ROOT = path.resolve(__dirname, "..");

class UsageError extends Error {}

/** The stack's config as Pulumi hands it to a program: `namespace:key` to string (lists and maps as JSON). */
export function stackConfig(stack: string, sets: string[], stage?: string): Record<string, string> {
    const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const stacks = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).map((f) => f.split(".")[1]);
        throw new UsageError(`no stack file Pulumi.${stack}.yaml; stacks here: ${stacks.join(", ") || "none"}`);
    }
    const parsed = (loadYaml(fs.readFileSync(file, "utf8"), { schema: CORE_SCHEMA }) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed.config ?? {})) config[namespaced(key)] = typeof value === "string" ? value : JSON.stringify(value);
    for (const assignment of [...sets, ...(stage === undefined ? [] : [`stage=${stage}`])]) {
        const eq = assignment.indexOf("=");
        if (eq <= 0) throw new UsageError(`--set ${JSON.stringify(assignment)} is not key=value; e.g. --set stage=final or --set 'demos=["stars"]'`);
        // Like `pulumi config set`: the text after = is the value, and JSON lists and maps stay JSON text.
        config[namespaced(assignment.slice(0, eq))] = assignment.slice(eq + 1);
    }
    return config;
}

function namespaced(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

async function plan(options: PlanOptions): Promise<Result> {
    const config = stackConfig(options.stack, options.set, options.stage);
    const run = await runProgram(config);
    if (run.error) {
        // A configuration error is the user's to fix, and reads exactly as under `pulumi up`; anything else is a bug.
        if (run.error.name === "SettingsError") return { stdout: "", stderr: `${run.error.message}\n`, exitCode: 2 };
        throw run.error;
    }
    const stage = config[`${PROJECT}:stage`] ?? "open";
    const report = planReport(run, stage);
    switch (options.format) {
        case "json":
            return { stdout: JSON.stringify({ stage: report.stage, resources: report.resources, manifests: report.manifests, flows: report.flows }, null, 2) + "\n", exitCode: 0 };
        case "yaml":
            return { stdout: report.manifests.map((m) => stringify(m)).join("---\n"), exitCode: 0 };
        case "svg":
            return { stdout: renderSvg(report.workloads, report.flows, `Stack ${options.stack}, stage ${report.stage}`), exitCode: 0 };
        default:
            return { stdout: textReport(options.stack, report), exitCode: 0 };
    }
}

function textReport(stack: string, report: PlanReport): string {
    const counts = new Map<string, number>();
    for (const r of report.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const width = Math.max(...[...counts.keys()].map((t) => t.length));
    const policies = report.manifests.filter((m) => m.kind === "NetworkPolicy").map((m) => `${m.metadata?.namespace}/${m.metadata?.name}`).sort();
    const lines = [
        `Stack ${stack}, stage ${report.stage}: pulumi up would register ${report.resources.length} resources`,
        "",
        ...[...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `  ${type.padEnd(width)}  ${n}`),
        "",
        `NetworkPolicies (${policies.length}): ${policies.join(", ") || "none"}`,
    ];
    if (report.workloads.length > 0) {
        const columns = [...new Set(report.flows.map((f) => `${f.to}:${f.port}/${f.protocol}`))].sort();
        const table = new TruthTable<boolean>(report.workloads, columns);
        for (const f of report.flows) table.set(f.from, `${f.to}:${f.port}/${f.protocol}`, f.allowed);
        lines.push("", "Connectivity between demo workloads (. allowed, X denied, blank: same workload; rows: from, columns: to):", "", table.print((v) => (v === undefined ? "" : reachabilityMark(v))));
    }
    return lines.join("\n") + "\n";
}

/** Runs plan with `argv` (without node and script) and returns what to print; never throws, never exits. */
export async function run(argv: string[]): Promise<Result> {
    let usage: Result | undefined;
    let options: PlanOptions | undefined;
    const program = new Command("plan")
        .description("Show what `pulumi up` would create for a stack, and the resulting connectivity, offline")
        .exitOverride()
        .configureOutput({ writeOut: (s) => (usage = { stdout: s, exitCode: 0 }), writeErr: (s) => (usage = { stdout: "", stderr: s, exitCode: 2 }) })
        .option("--stack <name>", "stack whose Pulumi.<name>.yaml to read", "dev")
        .option("--stage <stage>", "short for --set stage=<stage>")
        .option("--set <key=value>", "override a config value (repeatable); JSON for lists and maps", (v: string, all: string[]) => [...all, v], [] as string[])
        .addOption(new Option("--format <format>", "output format").choices(["text", "json", "yaml", "svg"]).default("text"))
        .action((o: PlanOptions) => {
            options = o;
        });
    try {
        program.parse(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) return usage ?? { stdout: "", stderr: `${e.message}\n`, exitCode: 2 };
        throw e;
    }
    if (!options) return usage ?? { stdout: program.helpInformation(), exitCode: 2 };
    try {
        return await plan(options);
    } catch (e) {
        if (e instanceof UsageError) return { stdout: "", stderr: `plan: ${e.message}\n`, exitCode: 2 };
        return { stdout: "", stderr: `plan: internal error (please report it): ${(e as Error).stack ?? e}\n`, exitCode: 3 };
    }
}

if (require.main === module) {
    run(process.argv.slice(2)).then((result) => {
        process.stdout.write(result.stdout);
        if (result.stderr) process.stderr.write(result.stderr);
        process.exitCode = result.exitCode;
    });
}
