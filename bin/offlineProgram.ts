/**
 * The program, run offline: index.ts under Pulumi's unit-test mocks, with every registered resource recorded (type,
 * name, inputs, options). No AWS, no network, no Pulumi CLI. The tests use it to assert what `pulumi up` would
 * register; `plan` uses it to show that to a user.
 *
 * The mocks return deterministic ids, the outputs remote components (eks.Cluster, eks.ManagedNodeGroup) would have
 * after a real `pulumi up`, and throw on any invoke they do not know, so a new cloud lookup cannot sneak in untested.
 * They are set when this module loads, before the program is: `runProgram` loads the program afresh each time. By
 * default it runs the lab (index.ts, project eks-netpol-lab, stack dev); `RunOptions` runs another program, such as
 * the deployments project, under the same mocks with that program's own project and stack names.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { CORE_SCHEMA, load as loadYaml } from "js-yaml";
import * as path from "path";

export const PROJECT = "eks-netpol-lab";
export const STACK = "dev";

/** The region of the stack being run, which remote-component outputs and zone names follow. */
function currentRegion(): string {
    return pulumi.runtime.allConfig()["aws:region"] ?? "us-west-2";
}

export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** True for custom resources, false for components (including remote ones such as eks:index:Cluster). */
    custom: boolean;
    provider?: string;
    /** The resource options the program passed, with resources named by their logical names. */
    options: RecordedOptions;
}

export interface RecordedOptions {
    /** The parent's logical name; "(stack)" for a top-level resource. */
    parent: string;
    dependsOn: string[];
    /** The logical name of the `deletedWith` resource, if any. */
    deletedWith?: string;
    /** Set when the program asked Pulumi to leave the object in place on delete. */
    retainOnDelete?: true;
    /** Input properties whose changes Pulumi ignores after creation, if any. */
    ignoreChanges?: string[];
}

const recorded: RecordedResource[] = [];
const invokes: { token: string; inputs: Record<string, any> }[] = [];
/** Options seen by the stack transformation, keyed by `type::name`; joined to the registration in `newResource`. */
const optionsSeen = new Map<string, RecordedOptions>();
const namesOf = new Map<pulumi.Resource, string>();

/** Outputs a remote component or a provider-computed property would have after a real `pulumi up`. */
function outputsFor(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case "eks:index:Cluster": {
            const region = currentRegion();
            const clusterName = inputs.name ?? `${name}-eksCluster`;
            const endpoint = `https://${clusterName}.gr7.${region}.eks.amazonaws.com`;
            return {
                eksCluster: {
                    name: clusterName,
                    arn: `arn:aws:eks:${region}:123456789012:cluster/${clusterName}`,
                    endpoint,
                    certificateAuthority: { data: "Q0EtREFUQQ==" },
                    createdAt: "2026-12-01T09:00:00Z",
                },
                core: { endpoint },
                kubeconfigJson: "{}",
                defaultNodeGroupAsgName: "",
            };
        }
        case "eks:index:ManagedNodeGroup":
            return {
                nodeGroup: { nodeGroupName: `${name}-ng`, resources: [{ autoscalingGroups: [{ name: `eks-${name}-asg` }] }] },
            };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { latestVersion: 1 };
        case "aws:kms/key:Key":
            return { arn: `arn:aws:kms:${currentRegion()}:123456789012:key/${name}` };
        case "aws:iam/role:Role":
            return { arn: `arn:aws:iam::123456789012:role/${inputs.name ?? name}`, name: inputs.name ?? name };
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return { arn: `arn:aws:iam::123456789012:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}` };
        default:
            return {};
    }
}

/**
 * Invokes the program may make. Bring-your-own-cluster lookups answer with a cluster named as asked and two managed
 * node groups, so `plan` works for that mode too.
 */
const invokeHandlers: Record<string, (inputs: Record<string, any>) => Record<string, any>> = {
    // Whoever runs `pulumi up`, here as a role session: the cluster's creator when the cluster is created.
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        accountId: "123456789012",
        arn: "arn:aws:sts::123456789012:assumed-role/lab-admin/alice",
        userId: "AROAEXAMPLEID:alice",
    }),
    "aws:eks/getCluster:getCluster": ({ name }) => ({
        name,
        arn: `arn:aws:eks:${currentRegion()}:123456789012:cluster/${name}`,
        endpoint: `https://${name}.existing.${currentRegion()}.eks.amazonaws.com`,
        certificateAuthorities: [{ data: "RVhJU1RJTkctQ0E=" }],
    }),
    "aws:eks/getNodeGroups:getNodeGroups": ({ clusterName }) => ({ clusterName, names: ["workers-b", "workers-a"] }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": () => {
        const region = currentRegion();
        return { names: ["a", "b", "c"].map((z) => `${region}${z}`), zoneIds: [1, 2, 3].map((n) => `${region}-az${n}`) };
    },
};

/** Outputs a run adds for resource types only its program knows (see `RunOptions.outputs`). */
let extraOutputs: RunOptions["outputs"];

const mocks: pulumi.runtime.Mocks = {
    newResource(args: pulumi.runtime.MockResourceArgs) {
        if (args.type === "pulumi:pulumi:Stack") return { id: undefined, state: {} }; // the harness's root, not the program's
        const options = optionsSeen.get(`${args.type}::${args.name}`) ?? { parent: "(unknown)", dependsOn: [] };
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? false, provider: args.provider, options });
        const extra = extraOutputs?.(args.type, args.name, args.inputs) ?? {};
        return { id: `${args.name}-id`, state: { ...args.inputs, ...outputsFor(args.type, args.name, args.inputs), ...extra } };
    },
    call(args: pulumi.runtime.MockCallArgs) {
        const handler = invokeHandlers[args.token];
        if (!handler) throw new Error(`Mock not implemented: ${args.token}`);
        invokes.push({ token: args.token, inputs: args.inputs });
        return handler(args.inputs);
    },
};

/** The project and stack the mocks currently report (`pulumi.getProject()`, `pulumi.getStack()`). */
let mocked = { project: PROJECT, stack: STACK };
pulumi.runtime.setMocks(mocks, PROJECT, STACK, false);

/** Sets the mocks again only when a run asks for another project or stack, so lab runs behave exactly as before. */
function useMocks(project: string, stack: string): void {
    if (mocked.project === project && mocked.stack === stack) return;
    pulumi.runtime.setMocks(mocks, project, stack, false);
    mocked = { project, stack };
}

/** A stack configuration: the dev stack's region plus `overrides`, whose bare keys belong to the project. */
export function stackConfig(overrides: Record<string, string> = {}): Record<string, string> {
    const config: Record<string, string> = { "aws:region": "us-west-2" };
    for (const [key, value] of Object.entries(overrides)) config[key.includes(":") ? key : `${PROJECT}:${key}`] = value;
    return config;
}

export interface ProgramRun {
    /** The program module's exports (Outputs), unless it threw. */
    exports?: Record<string, any>;
    /** What the program threw while loading, if anything. */
    error?: Error;
    resources: RecordedResource[];
    invokes: { token: string; inputs: Record<string, any> }[];
}

const ENTRY_POINT = path.resolve(__dirname, "..", "index");

/**
 * `config` as the Pulumi CLI hands it to the program: with the `default` of every key the project's Pulumi.yaml
 * declares and the stack leaves unset (the CLI merges them into the stack's config before the program starts:
 * pulumi/pulumi sdk/go/common/workspace/config.go, mergeConfig). Lists and maps arrive as JSON text, as set values do.
 */
export function withProjectDefaults(config: Record<string, string>, project: string, projectDirectory: string): Record<string, string> {
    const file = path.join(projectDirectory, "Pulumi.yaml");
    const declared = (loadYaml(fs.readFileSync(file, "utf8"), { schema: CORE_SCHEMA }) as { config?: Record<string, { default?: unknown }> }).config ?? {};
    const merged = { ...config };
    for (const [key, spec] of Object.entries(declared)) {
        const full = key.includes(":") ? key : `${project}:${key}`;
        if (merged[full] !== undefined || spec === null || typeof spec !== "object" || !("default" in spec)) continue;
        merged[full] = typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default);
    }
    return merged;
}

/** Which program to run, as which project and stack. Every field defaults to the lab's. */
export interface RunOptions {
    /**
     * The program's entry module, as `require` resolves it.
     * @default - the lab's index.ts
     */
    entryPoint?: string;
    /**
     * The project name the program sees (`pulumi.getProject()`), which is also its config namespace.
     * @default "eks-netpol-lab"
     */
    project?: string;
    /**
     * The stack name the program sees (`pulumi.getStack()`).
     * @default "dev"
     */
    stack?: string;
    /**
     * Outputs the program's own resource types would have after a real `pulumi up` (a dynamic resource's computed
     * outputs, say), merged over the inputs and the shared outputs.
     * @default - none
     */
    outputs?: (type: string, name: string, inputs: Record<string, any>) => Record<string, any> | undefined;
}

/**
 * Runs the program (index.ts unless `options` names another) afresh under the mocks with exactly `config`, of which
 * `secretKeys` are secrets (as `pulumi up` marks the keys a stack stores encrypted), and waits until every
 * registration has happened.
 */
export async function runProgram(config: Record<string, string> = stackConfig(), secretKeys: string[] = [], options: RunOptions = {}): Promise<ProgramRun> {
    const entryPoint = options.entryPoint ?? ENTRY_POINT;
    useMocks(options.project ?? PROJECT, options.stack ?? STACK);
    extraOutputs = options.outputs;
    recorded.length = 0;
    invokes.length = 0;
    optionsSeen.clear();
    namesOf.clear();
    pulumi.runtime.setAllConfig(withProjectDefaults(config, options.project ?? PROJECT, path.dirname(entryPoint)), secretKeys);
    forgetProgramModules(entryPoint);
    const run: ProgramRun = { resources: recorded, invokes };
    // The SDK captures a stack trace for every promise and resource it creates; with ts-node's source-map support
    // installed, each capture maps every frame through source maps, which takes most of a run's time. Plain V8 traces
    // are enough here (transpiling keeps line numbers), so the mapping is switched off while the program runs.
    const errors = Error as { prepareStackTrace?: unknown };
    const prepareStackTrace = errors.prepareStackTrace;
    errors.prepareStackTrace = undefined;
    // A program that throws while loading leaves the root Stack's other promises rejected too. Those rejections are
    // the same error, already reported in `run.error`; any other stays fatal.
    const sameError = (reason: unknown) => {
        if (reason !== run.error) throw reason;
    };
    process.on("unhandledRejection", sameError);
    try {
        // As `pulumi up` does: the program runs inside a root Stack resource, whose outputs are the module's exports.
        await pulumi.runtime
            .runInPulumiStack(async () => {
                pulumi.runtime.registerStackTransformation(recordOptions);
                run.exports = require(entryPoint);
                return run.exports;
            })
            .catch((e) => {
                run.error = e as Error;
            });
        await waitForRegistrations();
        await new Promise((resolve) => setImmediate(resolve)); // let Node report any unhandled rejection first
    } finally {
        errors.prepareStackTrace = prepareStackTrace;
        process.off("unhandledRejection", sameError);
    }
    return { ...run, resources: [...recorded], invokes: [...invokes] };
}

/** Legacy stack transformations still run under mocks (engine-side transforms do not), so they can see options. */
function recordOptions(args: pulumi.ResourceTransformationArgs): undefined {
    namesOf.set(args.resource, args.name);
    const parent = args.opts.parent ? namesOf.get(args.opts.parent) ?? "(stack)" : "(stack)";
    const dependsOn = ([] as unknown[]).concat(args.opts.dependsOn ?? []).map((d) => namesOf.get(d as pulumi.Resource) ?? "(unrecorded)");
    const options: RecordedOptions = { parent, dependsOn };
    if (args.opts.deletedWith) options.deletedWith = namesOf.get(args.opts.deletedWith) ?? "(unrecorded)";
    if (args.opts.retainOnDelete) options.retainOnDelete = true;
    if (args.opts.ignoreChanges?.length) options.ignoreChanges = [...args.opts.ignoreChanges];
    optionsSeen.set(`${args.type}::${args.name}`, options);
    return undefined;
}

/**
 * So that the next `require` runs the program again, with the current config. Only the entry point is forgotten: the
 * modules it imports hold no state (settings are read when index.ts runs), and transpiling them all again on every
 * run would take half a second each time.
 */
function forgetProgramModules(entryPoint: string): void {
    delete require.cache[require.resolve(entryPoint)];
}

/**
 * Waits for every outstanding resource registration. The SDK tracks them to know when a program is done; its
 * `waitForRPCs` is not in the public typings, so reach for it explicitly and fail loudly if it ever disappears.
 */
async function waitForRegistrations(): Promise<void> {
    const settings = require("@pulumi/pulumi/runtime/settings");
    if (typeof settings.waitForRPCs !== "function") {
        throw new Error("@pulumi/pulumi no longer exports runtime/settings.waitForRPCs; update bin/offlineProgram.ts");
    }
    await settings.waitForRPCs();
}

