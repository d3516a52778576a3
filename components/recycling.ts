/**
 * Recycling a node group's nodes by resizing the Auto Scaling group behind it to 0 and back: AWS's advice for clearing
 * what a policy engine leaves on nodes: Calico's iptables rules (its "Unknown interface" drop rules would otherwise
 * drop new pods' traffic), the VPC CNI agent's eBPF programs.
 *
 * The steps, for each group in turn (one at a time, so other groups keep serving):
 *   1. read the group's sizes (if an earlier run was interrupted at 0, use the sizes recorded when it was created);
 *   2. scale to min 0, desired 0, and wait until every old instance has left the Auto Scaling group;
 *   3. restore the sizes, wait until as many new instances are InService and, where the cluster can be reached, until
 *      they are Ready nodes.
 * Every wait is bounded and reports progress; throttling and "busy" answers are retried with backoff; on any failure
 * the original sizes are restored before the error is raised, so a group is never left at 0 by us. A group that no
 * longer exists (deleted outside Pulumi) has nothing to recycle. How each kind of group is resized: groupScaler.ts.
 */
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { EKSClient } from "@aws-sdk/client-eks";
import { AwsClients, GroupRef, Scaler, scalerFor, Sizes } from "./groupScaler";
import { awsCredentials, KubeApi, kubeApi, KubeCluster } from "./kubeApi";

export type { GroupRef, Sizes } from "./groupScaler";

export interface RecycleTarget {
    group: GroupRef;
    /** Sizes recorded when the recycler was created or updated: what to restore if the group is found at 0. */
    recorded?: Sizes;
}

export interface RecycleDeps extends AwsClients {
    /** How many of these EC2 instances are Ready Kubernetes nodes; throws when the cluster cannot be reached. */
    nodesReady?: (instanceIds: string[]) => Promise<number>;
    now: () => number;
    sleep: (ms: number) => Promise<void>;
    log: (message: string) => void;
}

export interface RecycleOptions {
    /** The longest each wait (old nodes gone, new nodes in service) may take. */
    timeoutSeconds: number;
    pollSeconds: number;
}

/** AWS errors that mean "not now": throttling, a conflicting update in progress, a transient server fault. */
function isRetryable(errorName: string): boolean {
    // Listed here, not in a module-level Set: this code runs serialized in Pulumi's dynamic-provider host, where a
    // captured Set arrives as a plain object whose `has` throws on first use (tests/recyclerHost.test.ts).
    return [
        "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "ResourceInUseException",
        "ScalingActivityInProgressFault", "ResourceContentionFault", "ServiceUnavailableException", "ServerException", "InternalFailure",
    ].includes(errorName);
}

/** Runs `call`, retrying retryable AWS errors with exponential backoff (1 s doubling to 30 s) until `deadline`. */
export async function withRetries<T>(what: string, call: () => Promise<T>, deadline: number, deps: RecycleDeps): Promise<T> {
    for (let attempt = 0; ; attempt++) {
        try {
            return await call();
        } catch (e) {
            const name = (e as { name?: string }).name ?? "";
            const delay = Math.min(30_000, 1000 * 2 ** attempt);
            if (!isRetryable(name) || deps.now() + delay > deadline) throw e;
            deps.log(`${what}: ${name}, retrying in ${delay / 1000} s`);
            await deps.sleep(delay);
        }
    }
}

/** Polls `check` until it reports done, or fails once `timeoutSeconds` have passed, saying how far it got. */
async function waitFor(what: string, check: () => Promise<{ done: boolean; progress: string }>, options: RecycleOptions, deps: RecycleDeps): Promise<void> {
    const deadline = deps.now() + options.timeoutSeconds * 1000;
    for (;;) {
        const { done, progress } = await withRetries(what, check, deadline, deps);
        if (done) return;
        if (deps.now() >= deadline) throw new Error(`timed out after ${options.timeoutSeconds} s waiting for ${what} (${progress})`);
        deps.log(`waiting for ${what}: ${progress}`);
        await deps.sleep(options.pollSeconds * 1000);
    }
}

function sameSizes(a: Sizes, b: Sizes): boolean {
    return a.min === b.min && a.desired === b.desired && a.max === b.max;
}

function sizesText(s: Sizes): string {
    return `min ${s.min}, desired ${s.desired}, max ${s.max}`;
}

/** Where the cluster can be reached, waits until the new instances have joined it as Ready nodes. */
async function waitForNodesReady(name: string, instanceIds: string[], options: RecycleOptions, deps: RecycleDeps): Promise<void> {
    const nodesReady = deps.nodesReady;
    if (!nodesReady) return;
    try {
        await nodesReady(instanceIds);
    } catch (e) {
        deps.log(`cannot reach the cluster (${(e as Error).message}); not waiting for the new nodes of ${name} to be Ready`);
        return;
    }
    await waitFor(`the new nodes of ${name} to be Ready`, async () => {
        const ready = await nodesReady(instanceIds);
        return { done: ready >= instanceIds.length, progress: `${ready} of ${instanceIds.length} Ready` };
    }, options, deps);
}

/**
 * What to restore after the recycle: the current sizes, or the recorded ones if the group is found at 0 with sizes on
 * record (an earlier recycle was interrupted there). EKS wants a max of at least 1.
 */
function sizesToRestore(current: Sizes, recorded?: Sizes): Sizes {
    const interrupted = current.desired === 0 && current.min === 0 && (recorded?.desired ?? 0) > 0;
    return interrupted ? { ...recorded!, max: Math.max(recorded!.max, 1) } : current;
}

interface RecyclePlan {
    current: Sizes;
    original: Sizes;
    /** The instances to replace. */
    old: Set<string>;
}

/** Reads the group and decides what to do, changing nothing; undefined when there is nothing to recycle. */
async function planRecycle(scaler: Scaler, target: RecycleTarget, options: RecycleOptions, deps: RecycleDeps): Promise<RecyclePlan | undefined> {
    const deadline = deps.now() + options.timeoutSeconds * 1000;
    try {
        const current = await withRetries(`reading ${scaler.name}`, () => scaler.read(), deadline, deps);
        if (!current) {
            deps.log(`${scaler.name} no longer exists; nothing to recycle`);
            return undefined;
        }
        const original = sizesToRestore(current, target.recorded);
        if (original.desired === 0) {
            deps.log(`${scaler.name} runs no nodes; nothing to recycle`);
            return undefined;
        }
        const old = new Set((await withRetries(`listing ${scaler.name}`, () => scaler.instances(), deadline, deps)).map((i) => i.id));
        return { current, original, old };
    } catch (e) {
        throw new Error(`cannot read ${scaler.name} from AWS, so nothing was changed: ${(e as Error).message}`);
    }
}

/** Steps 2 and 3 of the file comment: to 0, old instances gone, back to the original sizes, new ones in service. */
async function resizeAndWait(scaler: Scaler, plan: RecyclePlan, options: RecycleOptions, deps: RecycleDeps): Promise<void> {
    const { current, original, old } = plan;
    const deadline = () => deps.now() + options.timeoutSeconds * 1000;
    const empty = { min: 0, desired: 0, max: original.max };
    // EKS refuses an update that changes nothing; an interrupted run may have left the group at 0 already.
    if (!sameSizes(current, empty)) await withRetries(`scaling ${scaler.name} to 0`, () => scaler.set(empty), deadline(), deps);
    await waitFor(`the old nodes of ${scaler.name} to terminate`, async () => {
        const left = (await scaler.instances()).filter((i) => old.has(i.id));
        return { done: left.length === 0, progress: `${left.length} of ${old.size} still ${[...new Set(left.map((i) => i.state))].join("/") || "present"}` };
    }, options, deps);
    await withRetries(`restoring ${scaler.name}`, () => scaler.set(original), deadline(), deps);
    let fresh: string[] = [];
    await waitFor(`${original.desired} new nodes of ${scaler.name} to be InService`, async () => {
        fresh = (await scaler.instances()).filter((i) => !old.has(i.id) && i.state === "InService").map((i) => i.id);
        return { done: fresh.length >= original.desired, progress: `${fresh.length} of ${original.desired} InService` };
    }, options, deps);
    await waitForNodesReady(scaler.name, fresh, options, deps);
}

/** After `error`, puts the original sizes back and raises an error that says whether that worked. */
async function restoreAfter(error: Error, scaler: Scaler, original: Sizes, options: RecycleOptions, deps: RecycleDeps): Promise<never> {
    deps.log(`recycling ${scaler.name} failed; restoring ${sizesText(original)}`);
    try {
        await withRetries(`restoring ${scaler.name}`, () => scaler.set(original), deps.now() + options.timeoutSeconds * 1000, deps);
    } catch (restoreError) {
        throw new Error(`recycling ${scaler.name} failed (${error.message}), and restoring ${sizesText(original)} failed too (${(restoreError as Error).message}); restore them by hand`);
    }
    throw new Error(`recycling ${scaler.name} failed: ${error.message}; its sizes were restored to ${sizesText(original)}`);
}

/** Recycles one group's nodes; see the file comment for the steps and guarantees. */
export async function recycleGroup(target: RecycleTarget, options: RecycleOptions, deps: RecycleDeps): Promise<void> {
    const scaler = scalerFor(target.group, deps);
    const plan = await planRecycle(scaler, target, options, deps);
    if (!plan) return;
    deps.log(`recycling ${scaler.name}: ${plan.old.size} nodes; scaling to 0, then back to ${sizesText(plan.original)}`);
    try {
        await resizeAndWait(scaler, plan, options, deps);
    } catch (e) {
        await restoreAfter(e as Error, scaler, plan.original, options, deps);
    }
    deps.log(`recycled ${scaler.name}`);
}

/**
 * The sizes to record for each group, on create and update: the current ones, except that what was recorded before is
 * kept for a group found at 0 (an interrupted recycle left it there; recording zeros would lose what to restore) or no
 * longer there. A group that does not exist and has nothing on record is an error.
 */
export async function recordSizes(targets: RecycleTarget[], deps: RecycleDeps, timeoutSeconds: number): Promise<Sizes[]> {
    const sizes: Sizes[] = [];
    for (const { group, recorded } of targets) {
        const scaler = scalerFor(group, deps);
        const current = await withRetries(`reading ${scaler.name}`, () => scaler.read(), deps.now() + timeoutSeconds * 1000, deps);
        if (!current && !recorded) throw new Error(`${scaler.name} does not exist`);
        if (!current) deps.log(`${scaler.name} no longer exists; keeping its recorded sizes, ${sizesText(recorded!)}`);
        sizes.push(current ? sizesToRestore(current, recorded) : recorded!);
    }
    return sizes;
}

/** Recycles every group, one after another. */
export async function recycleAll(targets: RecycleTarget[], options: RecycleOptions, deps: RecycleDeps): Promise<void> {
    for (const target of targets) await recycleGroup(target, options, deps);
}

/** How many of `instanceIds` are nodes with condition Ready=True (a node's providerID ends with its instance id). */
export function readyNodeCounter(api: KubeApi): (instanceIds: string[]) => Promise<number> {
    return async (instanceIds) => {
        const nodes = (await api.get("/api/v1/nodes"))?.items ?? [];
        const wanted = new Set(instanceIds);
        return nodes.filter((n: { spec?: { providerID?: string }; status?: { conditions?: { type: string; status: string }[] } }) =>
            wanted.has((n.spec?.providerID ?? "").split("/").pop() ?? "") && (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
        ).length;
    };
}

/** Where and as whom the real clients work. */
export interface AwsSettings {
    region: string;
    /** The cluster's API server, to check that new nodes are Ready. */
    cluster?: KubeCluster;
    /** The AWS profile to use, for AWS and for the cluster's token. @default - the default credential chain's choice */
    profile?: string;
    /** The longest a wait may take: no single AWS request waits longer (nor 30 s, nor 5 s to connect). */
    timeoutSeconds: number;
}

/** Real clients and clock, for the dynamic provider; with a cluster, also a check that new nodes are Ready. */
export function awsDeps({ region, cluster, profile, timeoutSeconds }: AwsSettings): RecycleDeps {
    // The SDK retries throttling too; ours covers what it does not (ResourceInUse, scaling in progress). Without a
    // request timeout, an endpoint that accepts a connection and never answers would hold each attempt for minutes.
    const requestHandler = {
        connectionTimeout: Math.min(5, timeoutSeconds) * 1000,
        requestTimeout: Math.min(30, timeoutSeconds) * 1000,
        throwOnRequestTimeout: true, // else the handler only warns, and waits on
    };
    const config = { region, credentials: awsCredentials(profile), maxAttempts: 5, requestHandler };
    return {
        eks: new EKSClient(config),
        autoScaling: new AutoScalingClient(config),
        nodesReady: cluster ? readyNodeCounter(kubeApi(cluster, { profile })) : undefined,
        now: () => Date.now(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        log: (message) => console.error(`node recycler: ${message}`),
    };
}
