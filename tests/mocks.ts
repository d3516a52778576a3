/**
 * The one Pulumi mock harness for every test: records each registered resource, returns deterministic ids and the
 * outputs that remote components (eks.Cluster, eks.ManagedNodeGroup) would return, and throws on any invoke it does
 * not know, so a new cloud lookup cannot sneak into the program untested.
 *
 * It's important to set the mocks before the program is loaded: `runProgram` does both, in that order.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";

export const PROJECT = "eks-netpol-lab";
export const STACK = "dev";
export const REGION = "us-west-2";
export const ZONES = ["us-west-2a", "us-west-2b", "us-west-2c"];

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
            const clusterName = inputs.name ?? `${name}-eksCluster`;
            const endpoint = `https://${clusterName}.gr7.${REGION}.eks.amazonaws.com`;
            return {
                eksCluster: {
                    name: clusterName,
                    arn: `arn:aws:eks:${REGION}:123456789012:cluster/${clusterName}`,
                    endpoint,
                    certificateAuthority: { data: "Q0EtREFUQQ==" },
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
            return { arn: `arn:aws:kms:${REGION}:123456789012:key/${name}` };
        case "aws:iam/role:Role":
            return { arn: `arn:aws:iam::123456789012:role/${name}`, name };
        default:
            return {};
    }
}

const invokeHandlers: Record<string, (inputs: Record<string, any>) => Record<string, any>> = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({ names: ZONES, zoneIds: ["usw2-az1", "usw2-az2", "usw2-az3"] }),
};

pulumi.runtime.setMocks(
    {
        newResource(args: pulumi.runtime.MockResourceArgs) {
            if (args.type === "pulumi:pulumi:Stack") return { id: undefined, state: {} }; // the harness's root, not the program's
            const options = optionsSeen.get(`${args.type}::${args.name}`) ?? { parent: "(unknown)", dependsOn: [] };
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? false, provider: args.provider, options });
            return { id: `${args.name}-id`, state: { ...args.inputs, ...outputsFor(args.type, args.name, args.inputs) } };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            const handler = invokeHandlers[args.token];
            if (!handler) throw new Error(`Mock not implemented: ${args.token}`);
            invokes.push({ token: args.token, inputs: args.inputs });
            return handler(args.inputs);
        },
    },
    PROJECT,
    STACK,
    false,
);

/** A stack configuration: the dev stack's region plus `overrides`, whose bare keys belong to the project. */
export function stackConfig(overrides: Record<string, string> = {}): Record<string, string> {
    const config: Record<string, string> = { "aws:region": REGION };
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

const ROOT = path.resolve(__dirname, "..");

/** Runs index.ts afresh under the mocks with exactly `config`, and waits until every registration has happened. */
export async function runProgram(config: Record<string, string> = stackConfig()): Promise<ProgramRun> {
    recorded.length = 0;
    invokes.length = 0;
    optionsSeen.clear();
    namesOf.clear();
    pulumi.runtime.setAllConfig(config);
    forgetProgramModules();
    const run: ProgramRun = { resources: recorded, invokes };
    // As `pulumi up` does: the program runs inside a root Stack resource, whose outputs are the module's exports.
    await pulumi.runtime
        .runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation(recordOptions);
            run.exports = require("../index");
            return run.exports;
        })
        .catch((e) => {
            run.error = e as Error;
        });
    await waitForRegistrations();
    return { ...run, resources: [...recorded], invokes: [...invokes] };
}

/** Legacy stack transformations still run under mocks (engine-side transforms do not), so they can see options. */
function recordOptions(args: pulumi.ResourceTransformationArgs): undefined {
    namesOf.set(args.resource, args.name);
    const parent = args.opts.parent ? namesOf.get(args.opts.parent) ?? "(stack)" : "(stack)";
    const dependsOn = ([] as unknown[]).concat(args.opts.dependsOn ?? []).map((d) => namesOf.get(d as pulumi.Resource) ?? "(unrecorded)");
    optionsSeen.set(`${args.type}::${args.name}`, { parent, dependsOn });
    return undefined;
}

/** So that the next `require` runs the program again, with the current config. */
function forgetProgramModules(): void {
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(ROOT) && !file.includes(`${path.sep}node_modules${path.sep}`) && !file.includes(`${path.sep}tests${path.sep}`)) {
            delete require.cache[file];
        }
    }
}

/**
 * Waits for every outstanding resource registration. The SDK tracks them to know when a program is done; its
 * `waitForRPCs` is not in the public typings, so reach for it explicitly and fail loudly if it ever disappears.
 */
async function waitForRegistrations(): Promise<void> {
    const settings = require("@pulumi/pulumi/runtime/settings");
    if (typeof settings.waitForRPCs !== "function") {
        throw new Error("@pulumi/pulumi no longer exports runtime/settings.waitForRPCs; update tests/mocks.ts");
    }
    await settings.waitForRPCs();
}

/** Resolves an Output's value (mocks run in update mode, so every output resolves). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** The one resource of `type` named `name`, or a failure that lists what was registered instead. */
export function findResource(run: ProgramRun, type: string, name: string): RecordedResource {
    const found = run.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        const names = run.resources.filter((r) => r.type === type).map((r) => r.name);
        throw new Error(`expected one ${type} named ${name}, found ${found.length}; ${type} registered: [${names.join(", ")}]`);
    }
    return found[0];
}

export function resourcesOfType(run: ProgramRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}
