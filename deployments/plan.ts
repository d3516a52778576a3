/**
 * What `pulumi up` of a deployments stack would register, offline: every resource with its parent and the resources
 * it waits for, the key settings of each lab stack, and the two roles' trust and permissions. No AWS, no Pulumi Cloud.
 *
 *   npm run --silent deployments:plan -- [--stack NAME] [--json]
 *
 * Exit codes: 0 done, 2 invalid configuration (the message `pulumi up` would give) or usage, 3 a bug.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProgramRun, RecordedResource } from "../bin/offlineProgram";
import { rfc3339 } from "./ttl";
import { deploymentsStackConfig, OFFLINE_CLOCK_START, runDeployments } from "./offline";

/** Offline, every TTL clock starts at one fixed time; a real `up` starts each when it creates it. */
const OFFLINE_CLOCK = `the fixed offline clock: TTL clocks start at ${rfc3339(OFFLINE_CLOCK_START)} here, at their first \`up\` for real`;

const T = {
    settings: "pulumiservice:index:DeploymentSettings",
    ttl: "pulumiservice:index:TtlSchedule",
    drift: "pulumiservice:index:DriftSchedule",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};

function describe(r: RecordedResource): string {
    const waits = r.options.dependsOn.length > 0 ? `, after ${r.options.dependsOn.join(", ")}` : "";
    const i = r.inputs;
    switch (r.type) {
        case T.settings:
            return `stack ${i.organization}/${i.project}/${i.stack}: branch ${i.sourceContext.git.branch}, deployCommits ${i.vcs.deployCommits}, previewPullRequests ${i.vcs.previewPullRequests}, pullRequestTemplate ${i.vcs.pullRequestTemplate}, image ${i.executorContext.executorImage}, role ${i.operationContext.oidc.aws.roleARN}, paths ${i.vcs.paths.join(" ")}${waits}`;
        case T.ttl:
            return `destroys ${i.stack} at ${i.timestamp} (by ${OFFLINE_CLOCK})${waits}`;
        case T.drift:
            return `detects drift of ${i.stack} at "${i.scheduleCron}", autoRemediate ${i.autoRemediate}${waits}`;
        case T.role:
            return `${i.name}, trusted by ${JSON.stringify(JSON.parse(i.assumeRolePolicy).Statement[0].Condition)}${waits}`;
        case T.rolePolicy:
            return `${JSON.parse(i.policy).Statement.length} statements${waits}`;
        default:
            return waits.slice(2);
    }
}

export function listing(run: ProgramRun, stack: string, outputs: Record<string, unknown>): string {
    const lines = [`Stack ${stack}: pulumi up would register ${run.resources.length} resources`, ""];
    for (const r of run.resources) lines.push(`${r.type} ${r.name} (parent ${r.options.parent})`, ...(describe(r) ? [`    ${describe(r)}`] : []));
    lines.push("", "Outputs:", ...Object.entries(outputs).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`));
    lines.push("", `TTL times (labTtlExpiresAt, each TtlSchedule) are by ${OFFLINE_CLOCK}.`);
    return lines.join("\n") + "\n";
}

/** The stack's outputs, resolved (offline, every output resolves). */
async function resolvedOutputs(run: ProgramRun): Promise<Record<string, unknown>> {
    const entries = await Promise.all(Object.entries(run.exports ?? {}).map(async ([k, v]) => [k, pulumi.Output.isInstance(v) ? await new Promise((r) => v.apply(r)) : v] as const));
    return Object.fromEntries(entries);
}

export async function main(argv: string[]): Promise<{ stdout: string; stderr?: string; exitCode: number }> {
    const stackAt = argv.indexOf("--stack");
    const stack = stackAt >= 0 ? argv[stackAt + 1] : "ci";
    const known = new Set(["--stack", stack, "--json"]);
    const unknown = argv.filter((a) => !known.has(a));
    if (!stack || unknown.length > 0) return { stdout: "", stderr: "usage: npm run --silent deployments:plan -- [--stack NAME] [--json]\n", exitCode: 2 };
    let config: Record<string, string>;
    try {
        config = deploymentsStackConfig(stack);
    } catch (e) {
        return { stdout: "", stderr: `deployments:plan: ${(e as Error).message}\n`, exitCode: 2 };
    }
    const run = await runDeployments(config, stack);
    if (run.error) {
        if (run.error.name === "DeploymentsSettingsError") return { stdout: "", stderr: `${run.error.message}\n`, exitCode: 2 };
        return { stdout: "", stderr: `deployments:plan: internal error (please report it): ${run.error.stack}\n`, exitCode: 3 };
    }
    const outputs = await resolvedOutputs(run);
    if (argv.includes("--json")) {
        const resources = run.resources.map((r) => ({ type: r.type, name: r.name, parent: r.options.parent, dependsOn: r.options.dependsOn, inputs: r.inputs }));
        return { stdout: JSON.stringify({ stack, resources, outputs }, null, 2) + "\n", exitCode: 0 };
    }
    return { stdout: listing(run, stack, outputs), exitCode: 0 };
}

if (require.main === module) {
    main(process.argv.slice(2)).then((r) => {
        process.stdout.write(r.stdout);
        if (r.stderr) process.stderr.write(r.stderr);
        process.exitCode = r.exitCode;
    });
}
