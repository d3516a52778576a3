/**
 * plan: what `pulumi up` would create for a stack, and who could then talk to whom, computed offline. Runs the real
 * index.ts under Pulumi's mocks with the stack's config, so it needs no AWS, no network and no Pulumi CLI.
 *
 *   npm run --silent plan -- [--stack NAME | --config-file FILE] [--stage S] [--set key=value]...
 *                            [--format text|json|yaml|svg] [-o FILE]
 *   npm run --silent plan -- [--stack NAME] [--stage S] [--set k=v]... --diff-stage S2 | --diff-set k=v... [--format text|json]
 *   npm run --silent plan -- [--stack NAME] --base-rev REV [--head-rev REV] [--format text|json]
 *
 * Exit codes: 0 done, 2 invalid configuration or usage (the same message `pulumi up` would give), 3 a bug. The diff
 * modes (bin/planDiff.ts) exit 0 when no flow changes and 1 when some does.
 */
import { Option } from "commander";
import { parseCommand, Result, stackCommand } from "./stackCommand";
import * as fs from "fs";
import * as path from "path";
import { LineCounter, parseDocument, stringify } from "yaml";
import { PROJECT, runProgram } from "./offlineProgram";
import { PlanReport, planReport } from "./planReport";
import { DiffInputError, isDiffMode, planDiff } from "./planDiff";
import { renderSvg } from "../policies/netpol/svg";
import { GRID_LEGEND, TruthTable, reachabilityMark } from "../policies/netpol/truthTable";

interface PlanOptions {
    stack: string;
    configFile?: string;
    stage?: string;
    set: string[];
    format: "text" | "json" | "yaml" | "svg";
    output?: string;
    /** The diff modes (bin/planDiff.ts). */
    diffStage?: string;
    diffSet: string[];
    baseRev?: string;
    headRev?: string;
}

const ROOT = path.resolve(__dirname, "..");
/** A stack file is a few lines of YAML; anything this large is the wrong file, and not worth parsing. */
const MAX_STACK_FILE_BYTES = 1024 * 1024;
/** What plan passes for a value the stack stores encrypted, which it cannot decrypt offline (Pulumi shows it so too). */
export const SECRET_PLACEHOLDER = "[secret]";

/** A mistake in the command line or the stack file: reported as it is, with exit 2. */
export class UsageError extends Error {}

/** A stack's config as Pulumi hands it to a program: `namespace:key` to string (lists and maps as JSON). */
export interface StackConfig {
    config: Record<string, string>;
    /** Keys whose values the stack file stores encrypted (`{secure: ...}`); their values are `SECRET_PLACEHOLDER`. */
    secretKeys: string[];
    /** The stack file, as the user would name it. */
    source: string;
}

/** The directory relative paths on the command line are relative to: where the user ran `npm run`, not the project root. */
function userDirectory(): string {
    return process.env.INIT_CWD ?? process.cwd();
}

/** Reads `Pulumi.<stack>.yaml` (or `configFile`), then applies `--set`s and `--stage`, as `pulumi config set` would. */
export function stackConfig(options: { stack: string; configFile?: string; sets: string[]; stage?: string }): StackConfig {
    const file = options.configFile === undefined ? path.join(ROOT, `Pulumi.${options.stack}.yaml`) : path.resolve(userDirectory(), options.configFile);
    const shown = options.configFile ?? `Pulumi.${options.stack}.yaml`;
    if (!fs.existsSync(file)) {
        if (options.configFile !== undefined) throw new UsageError(`no config file ${shown}`);
        const stacks = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).map((f) => f.split(".")[1]);
        throw new UsageError(`no stack file ${shown}; stacks here: ${stacks.join(", ") || "none"}`);
    }
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new UsageError(`${shown} is not a file`);
    if (stat.size > MAX_STACK_FILE_BYTES) throw new UsageError(`${shown} is ${stat.size} bytes; a stack file is a few lines of YAML, so plan reads none over 1 MiB (is it the right file?)`);
    const stack = parseStackFile(fs.readFileSync(file, "utf8"), shown);
    for (const assignment of [...options.sets, ...(options.stage === undefined ? [] : [`stage=${options.stage}`])]) {
        const eq = assignment.indexOf("=");
        if (eq <= 0) throw new UsageError(`--set ${JSON.stringify(assignment)} is not key=value; e.g. --set stage=final or --set 'demos=["stars"]'`);
        // Like `pulumi config set`: the text after = is the value, and JSON lists and maps stay JSON text.
        const key = namespaced(assignment.slice(0, eq));
        stack.config[key] = assignment.slice(eq + 1);
        stack.secretKeys = stack.secretKeys.filter((k) => k !== key);
    }
    return stack;
}

/**
 * The `config` mapping of a stack file. Syntax errors and a `config` that is not a mapping are reported as
 * `<file>:<line>:<col>: <what>`. Encrypted values cannot be read offline: their keys are passed as secrets with a
 * placeholder value, so the settings check treats them as `pulumi up` would.
 */
export function parseStackFile(text: string, shown: string): StackConfig {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const at = (offset: number) => {
        const { line, col } = lines.linePos(offset);
        return `${shown}:${line}:${col}`;
    };
    // Only the first syntax error: the parser's guesses after it are mostly about the same mistake.
    if (doc.errors.length > 0) throw new UsageError(`${at(doc.errors[0].pos[0])}: ${doc.errors[0].message}`);
    let file: unknown;
    try {
        file = doc.toJS();
    } catch (e) {
        throw new UsageError(`${shown}: ${(e as Error).message}`); // e.g. too many aliases: a "billion laughs" file
    }
    if (!isMapping(file) && file !== null) throw new UsageError(`${at(doc.contents?.range?.[0] ?? 0)}: a stack file is a mapping with a config key, not ${kindOf(file)}`);
    const config = file?.config ?? null;
    if (!isMapping(config) && config !== null) {
        const node = doc.get("config", true) as { range?: [number] } | undefined;
        throw new UsageError(`${at(node?.range?.[0] ?? 0)}: config must be a mapping of key: value, not ${kindOf(config)}`);
    }
    const result: StackConfig = { config: {}, secretKeys: [], source: shown };
    for (const [bareKey, value] of Object.entries<unknown>(config ?? {})) {
        const key = namespaced(bareKey);
        if (containsSecure(value)) result.secretKeys.push(key);
        const plain = withoutSecure(value);
        result.config[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
    }
    return result;
}

/**
 * A note for each secret plan ran without. Project keys need none: the settings check rejects a secret project key
 * (none of them is secret), while other namespaces' keys (a provider's credentials) may well be secrets.
 */
export function secretNotes(stack: StackConfig): string[] {
    return stack.secretKeys
        .filter((key) => !key.startsWith(`${PROJECT}:`))
        .map((key) => `${key} is stored as a secret in ${stack.source}, which plan cannot decrypt offline; it ran with ${JSON.stringify(SECRET_PLACEHOLDER)} in its place`);
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
    return Array.isArray(value) ? "a list" : `the value ${JSON.stringify(value)}`;
}

/** Pulumi's encrypted config value: `{secure: "v1:..."}`. */
function isSecure(value: unknown): boolean {
    return isMapping(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

function containsSecure(value: unknown): boolean {
    if (isSecure(value)) return true;
    return typeof value === "object" && value !== null && Object.values(value).some(containsSecure);
}

/** `value` with every encrypted part replaced by the placeholder. */
function withoutSecure(value: unknown): unknown {
    if (isSecure(value)) return SECRET_PLACEHOLDER;
    if (Array.isArray(value)) return value.map(withoutSecure);
    if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecure(v)]));
    return value;
}

function namespaced(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/** Writes `text` to `file` whole or not at all: into a temporary file beside it, then renamed over it. */
export function writeAtomically(file: string, text: string): void {
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    try {
        fs.writeFileSync(temporary, text, { flag: "wx" });
        fs.renameSync(temporary, file);
    } catch (e) {
        fs.rmSync(temporary, { force: true });
        throw e;
    }
}

async function plan(options: PlanOptions): Promise<Result> {
    const stack = stackConfig({ stack: options.stack, configFile: options.configFile, sets: options.set, stage: options.stage });
    const { config } = stack;
    const stderr = secretNotes(stack).map((n) => `plan: note: ${n}\n`).join("");
    const run = await runProgram(config, stack.secretKeys);
    if (run.error) {
        // A configuration error is the user's to fix, and reads exactly as under `pulumi up`; anything else is a bug.
        if (run.error.name === "SettingsError") return { stdout: "", stderr: `${stderr}${run.error.message}\n`, exitCode: 2 };
        throw run.error;
    }
    const stage = config[`${PROJECT}:stage`] ?? "open";
    return { stdout: formatReport(options, planReport(run, stage)), stderr: stderr || undefined, exitCode: 0 };
}

function formatReport(options: PlanOptions, report: PlanReport): string {
    switch (options.format) {
        case "json":
            return JSON.stringify({ stage: report.stage, resources: report.resources, manifests: report.manifests, flows: report.flows }, null, 2) + "\n";
        case "yaml":
            return report.manifests.map((m) => stringify(m)).join("---\n");
        case "svg":
            return renderSvg(report.workloads, report.flows, `Stack ${options.stack}, stage ${report.stage}`, { panels: report.demos.map((d) => ({ title: `demo ${d.name}`, endpoints: d.workloads })) });
        default:
            return textReport(options.stack, report);
    }
}

/** With --output, the result goes to that file (whole, or not at all when plan fails) instead of stdout. */
function toOutputFile(result: Result, output: string | undefined): Result {
    if (output === undefined || result.exitCode !== 0) return result;
    try {
        writeAtomically(path.resolve(userDirectory(), output), result.stdout);
    } catch (e) {
        return { stdout: "", stderr: `${result.stderr ?? ""}plan: cannot write ${output}: ${(e as Error).message}\n`, exitCode: 2 };
    }
    return { ...result, stdout: "" };
}

/** A diff's exit code 1 means "something changes", not a failure: its output is written as for 0. */
function diffToOutputFile(result: Result, output: string | undefined): Result {
    if (result.exitCode !== 1) return toOutputFile(result, output);
    const written = toOutputFile({ ...result, exitCode: 0 }, output);
    return written.exitCode === 0 ? { ...written, exitCode: 1 } : written;
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
        lines.push("", "Connectivity between demo workloads:", ...GRID_LEGEND, "", table.print(reachabilityMark));
    }
    return lines.join("\n") + "\n";
}

/** Runs plan with `argv` (without node and script) and returns what to print; never throws, never exits. */
export async function run(argv: string[]): Promise<Result> {
    const { program, usage } = stackCommand("plan", "Show what `pulumi up` would create for a stack, and the resulting connectivity, offline", "stack whose Pulumi.<name>.yaml to read");
    program
        .addOption(new Option("--format <format>", "output format").choices(["text", "json", "yaml", "svg"]).default("text"))
        .option("-o, --output <file>", "write the output to this file (whole, or not at all) instead of stdout")
        .option("--diff-stage <stage>", "print the flows that open and close when the stage becomes <stage>")
        .option("--diff-set <key=value>", "print the flows that open and close with this change too (repeatable)", (v: string, all: string[]) => [...all, v], [] as string[])
        .option("--base-rev <rev>", "print the flows that open and close from git revision <rev> to --head-rev")
        .option("--head-rev <rev>", "the revision to compare --base-rev with (default: the working tree)");
    const parsed = parseCommand<PlanOptions>(program, argv, usage);
    if ("result" in parsed) return parsed.result;
    const { options } = parsed;
    try {
        if (isDiffMode(options)) return diffToOutputFile(await planDiff(options, stackConfig), options.output);
        return toOutputFile(await plan(options), options.output);
    } catch (e) {
        if (e instanceof UsageError || e instanceof DiffInputError) return { stdout: "", stderr: `plan: ${e.message}\n`, exitCode: 2 };
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
