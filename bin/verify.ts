/**
 * verify: measures on the live cluster who can talk to whom among the demo workloads, and compares it, cell by cell,
 * with what the reachability engine says the cluster's policies must allow; and compares those policies with the ones
 * the stack deploys (drift). Run it after `pulumi up`.
 *
 *   npm run --silent verify -- [--stack NAME | --config-file FILE] [--stage S] [--set key=value]...
 *                              [--kubeconfig FILE] [--context NAME] [--target service|pod]
 *                              [--timeout S] [--settle S] [--start-timeout S] [--json] [--print-cluster]
 *
 * Exit codes: 0 everything matches and nothing drifted, 1 a cell differs or a policy drifted, 2 it could not measure
 * (and says why) or the command line or configuration is invalid, 3 a bug.
 */
import { spawnSync } from "child_process";
import { Option } from "commander";
import { parseCommand, Result, stackCommand } from "./stackCommand";
import * as crypto from "crypto";
import * as path from "path";
import { runProgram } from "./offlineProgram";
import { planReport } from "./planReport";
import { secretNotes, stackConfig, UsageError } from "./plan";
import { clusterApi, ClusterApi, loadKubeConfig } from "./kubeClient";
import { Clock, measure, REAL_CLOCK } from "./verifyMeasure";
import { exitCodeOf, formatJson, formatText, VerifyRun } from "../policies/live/report";
import { Intended } from "../policies/live/types";
import { intendedFrom } from "../policies/live/workloads";

interface VerifyOptions {
    stack: string;
    configFile?: string;
    stage?: string;
    set: string[];
    kubeconfig?: string;
    context?: string;
    target: "service" | "pod";
    timeout: string;
    settle: string;
    startTimeout: string;
    json?: boolean;
    printCluster?: boolean;
}

/** What a run may be given instead of the real world: the environment, the clock, and the run's unique id. */
export interface VerifyDeps {
    /** Runs the program offline for a stack's config (tests share one run per config between plan and verify). */
    runProgram: typeof runProgram;
    env: NodeJS.ProcessEnv;
    clock: Clock;
    runId: string;
    /** Bound on each API request. */
    requestTimeoutMs: number;
}

const ROOT = path.resolve(__dirname, "..");

/** Each number option: its bounds, and what it means. */
const SECONDS = {
    timeout: { min: 1, max: 30, what: "each connection attempt's timeout" },
    settle: { min: 0, max: 300, what: "how long differing cells are re-probed" },
    startTimeout: { min: 1, max: 900, what: "how long a probe container may take to start" },
} as const;

function flagOf(key: string): string {
    return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Every number option checked at once: each problem with the flag, the bad value and what is allowed. */
export function parseSeconds(options: Record<keyof typeof SECONDS, string>): { values: Record<keyof typeof SECONDS, number> } | { problems: string[] } {
    const problems: string[] = [];
    const values = {} as Record<keyof typeof SECONDS, number>;
    for (const [key, bound] of Object.entries(SECONDS) as [keyof typeof SECONDS, (typeof SECONDS)[keyof typeof SECONDS]][]) {
        const raw = options[key];
        if (/^\d+$/.test(raw) && Number(raw) >= bound.min && Number(raw) <= bound.max) values[key] = Number(raw);
        else problems.push(`${flagOf(key)} ${JSON.stringify(raw)}: ${bound.what} must be a whole number of seconds from ${bound.min} to ${bound.max}`);
    }
    return problems.length > 0 ? { problems } : { values };
}

/** The stack's intent, from the real program run offline (as `plan` does), or the configuration's own error. */
async function stackIntent(options: VerifyOptions, deps: VerifyDeps): Promise<{ intended: Intended; stage: string; policyEngine: string; notes: string[]; exports: Record<string, any> } | { error: string }> {
    const stack = stackConfig({ stack: options.stack, configFile: options.configFile, sets: options.set, stage: options.stage });
    const run = await deps.runProgram(stack.config, stack.secretKeys);
    if (run.error) {
        if (run.error.name === "SettingsError") return { error: run.error.message };
        throw run.error;
    }
    const stage = String(run.exports?.stage ?? "open");
    const report = planReport(run, stage);
    return { intended: intendedFrom(report.manifests, report.workloads), stage, policyEngine: String(run.exports?.policyEngine), notes: secretNotes(stack), exports: run.exports ?? {} };
}

/**
 * The cluster to measure. A kubeconfig named by --kubeconfig, else by KUBECONFIG (a list of files is merged as kubectl
 * merges it), else the stack's own `kubeconfig` output, read with bin/pulumi.
 */
export function connect(options: VerifyOptions, deps: VerifyDeps): ClusterApi {
    const files = options.kubeconfig !== undefined ? [options.kubeconfig] : (deps.env.KUBECONFIG ?? "").split(path.delimiter).filter(Boolean);
    const from = deps.env.INIT_CWD ?? process.cwd(); // where the user ran npm run
    const kc = files.length > 0
        ? loadKubeConfig({ files: files.map((f) => path.resolve(from, f)), context: options.context })
        : loadKubeConfig({ text: stackKubeconfig(options.stack, deps.env), context: options.context });
    return clusterApi(kc, { requestTimeoutMs: deps.requestTimeoutMs });
}

/** The stack's kubeconfig output, as `npm run pulumi -- stack output kubeconfig --show-secrets` prints it. */
function stackKubeconfig(stack: string, env: NodeJS.ProcessEnv): string {
    const args = ["stack", "output", "kubeconfig", "--show-secrets", "--stack", stack];
    const result = spawnSync(path.join(ROOT, "bin", "pulumi"), args, { env, encoding: "utf8", timeout: 120_000, maxBuffer: 1024 * 1024 });
    if (result.status === 0 && result.stdout.trim() !== "") return result.stdout;
    const why = (result.error?.message ?? result.stderr ?? "").trim().split("\n").slice(-3).join(" ").slice(0, 300) || `exit ${result.status}`;
    throw new Error(
        `could not read the stack's kubeconfig output (\`npm run pulumi -- ${args.join(" ")}\`: ${why}); ` +
            "or point verify at the cluster with --kubeconfig FILE or KUBECONFIG, e.g. after `aws eks update-kubeconfig`",
    );
}

async function verify(options: VerifyOptions, deps: VerifyDeps): Promise<Result> {
    const seconds = parseSeconds({ timeout: options.timeout, settle: options.settle, startTimeout: options.startTimeout });
    if ("problems" in seconds) return { stdout: "", stderr: seconds.problems.map((p) => `verify: ${p}\n`).join(""), exitCode: 2 };
    const intent = await stackIntent(options, deps);
    if ("error" in intent) return { stdout: "", stderr: `${intent.error}\n`, exitCode: 2 };
    const stderr = intent.notes.map((n) => `verify: note: ${n}\n`).join("") || undefined;
    if (options.printCluster) {
        const clusterName = await new Promise((resolve) => intent.exports.clusterName.apply(resolve));
        return { stdout: JSON.stringify({ clusterName, region: intent.exports.region }) + "\n", stderr, exitCode: 0 };
    }
    const run: VerifyRun = {
        stack: options.stack,
        stage: intent.stage,
        policyEngine: intent.policyEngine,
        cluster: "(not connected)",
        settings: { target: options.target, timeoutSeconds: seconds.values.timeout, settleSeconds: seconds.values.settle },
        problems: [],
        workloads: intent.intended.workloads.map((w) => w.id),
        results: [],
        reproduce: {},
        unprobed: [],
    };
    let api: ClusterApi;
    try {
        api = connect(options, deps);
    } catch (e) {
        return report({ ...run, fatal: `no cluster to measure: ${(e as Error).message}` }, options, stderr);
    }
    const measured = await measure(api, intent.intended, {
        target: options.target,
        timeoutSeconds: seconds.values.timeout,
        settleSeconds: seconds.values.settle,
        startTimeoutSeconds: seconds.values.startTimeout,
        runId: deps.runId,
    }, deps.clock);
    return report({ ...run, cluster: api.description, ...measured }, options, stderr);
}

function report(run: VerifyRun, options: VerifyOptions, stderr: string | undefined): Result {
    return { stdout: options.json ? formatJson(run) : formatText(run), stderr, exitCode: exitCodeOf(run) };
}

export const DEFAULT_DEPS: () => VerifyDeps = () => ({
    runProgram,
    env: process.env,
    clock: REAL_CLOCK,
    runId: `${Date.now().toString(36)}${crypto.randomBytes(2).toString("hex")}`,
    requestTimeoutMs: 30_000,
});

/** Runs verify with `argv` (without node and script) and returns what to print; never throws, never exits. */
export async function run(argv: string[], deps: VerifyDeps = DEFAULT_DEPS()): Promise<Result> {
    const { program, usage } = stackCommand("verify", "Measure who can talk to whom on the live cluster, and compare it with what the policies must allow", "stack whose Pulumi.<name>.yaml says what is deployed");
    program
        .option("--kubeconfig <file>", "kubeconfig of the cluster (default: KUBECONFIG, else the stack's kubeconfig output)")
        .option("--context <name>", "kubeconfig context to use (default: its current context)")
        .addOption(new Option("--target <kind>", "connect to each destination by its Service's ClusterIP or by a pod IP").choices(["service", "pod"]).default("service"))
        .option("--timeout <seconds>", "timeout of each connection attempt", "2")
        .option("--settle <seconds>", "how long to re-probe cells that differ (policies take effect seconds after they are applied)", "15")
        .option("--start-timeout <seconds>", "how long a probe container may take to start (image pull)", "120")
        .option("--json", "print the result as JSON")
        .option("--print-cluster", "print the stack's cluster name and region as JSON, and nothing else (for CI)");
    const parsed = parseCommand<VerifyOptions>(program, argv, usage);
    if ("result" in parsed) return parsed.result;
    try {
        return await verify(parsed.options, deps);
    } catch (e) {
        if (e instanceof UsageError) return { stdout: "", stderr: `verify: ${e.message}\n`, exitCode: 2 };
        return { stdout: "", stderr: `verify: internal error (please report it): ${(e as Error).stack ?? e}\n`, exitCode: 3 };
    }
}

if (require.main === module) {
    run(process.argv.slice(2)).then((result) => {
        if (result.stderr) process.stderr.write(result.stderr);
        // Exit once the output is written: a request the deadline gave up on must not keep the process alive.
        process.stdout.write(result.stdout, () => process.exit(result.exitCode));
    });
}

