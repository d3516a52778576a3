/**
 * One verify run against a cluster, in order: read the demo namespaces' objects, compare their policies with the
 * stack's (drift), predict with the engine from what is there, probe from a pod of every source at once, and judge
 * each cell. Everything that touches the cluster goes through ClusterApi; every wait is bounded and its clock
 * injectable, so tests run it against a fake API server in milliseconds.
 */
import { InputError } from "../policies/netpol/errors";
import { CellResult, judge, observationsFromLog } from "../policies/live/compare";
import { Drift, policyDrift } from "../policies/live/drift";
import { MAX_SOURCES, MAX_TARGETS_PER_SOURCE, planProbes, reproduceCommand, SourceProbe, TargetMode } from "../policies/live/probePlan";
import { parseProbeLog, probeSchedule, ProbeSchedule, scriptSeconds } from "../policies/live/probeScript";
import { predict } from "../policies/live/predict";
import { clip } from "../policies/live/report";
import { cellId, Intended, LiveState } from "../policies/live/types";
import { choosePods } from "../policies/live/workloads";
import { ClusterApi, ContainerState, KubeError } from "./kubeClient";

export interface MeasureOptions {
    target: TargetMode;
    timeoutSeconds: number;
    settleSeconds: number;
    /** How long a probe container may take to start (its image is pulled the first time on each node). */
    startTimeoutSeconds: number;
    runId: string;
}

export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
    /** Between two looks at a probe container's state. */
    pollMs: number;
    /** Between two re-probes inside the container, in whole seconds (1 like the upstream e2e tests; 0 in tests). */
    retryIntervalSeconds: number;
}

export const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), pollMs: 1000, retryIntervalSeconds: 1 };

/** A probe's log is a line per attempt; more than this is not the script's. */
export const MAX_LOG_BYTES = 64 * 1024;

/** Waiting reasons after which a container will not start without someone's help. */
const STUCK = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError", "RunContainerError"];

export interface Measurement {
    fatal?: string;
    drift?: Drift;
    problems: string[];
    results: CellResult[];
    reproduce: Record<string, string>;
    unprobed: string[];
}

export async function measure(api: ClusterApi, intended: Intended, options: MeasureOptions, clock: Clock): Promise<Measurement> {
    const empty: Measurement = { problems: [], results: [], reproduce: {}, unprobed: [] };
    let live: LiveState;
    let problems: string[];
    try {
        ({ live, problems } = await readLive(api, intended));
    } catch (e) {
        if (e instanceof KubeError) return { ...empty, fatal: e.message };
        throw e;
    }
    const drift = policyDrift(intended.policies, live.policies);
    const choices = choosePods(intended.workloads, live.pods);
    problems.push(...choices.flatMap((c) => ("problem" in c ? [`${c.workload.id}: ${c.problem}`] : [])));
    let prediction;
    try {
        prediction = predict(live, choices);
    } catch (e) {
        if (e instanceof InputError) return { ...empty, drift, problems, fatal: `the engine cannot read the live objects:\n${e.message}` };
        throw e;
    }
    const schedule = probeSchedule({ timeoutSeconds: options.timeoutSeconds, settleSeconds: options.settleSeconds, intervalSeconds: clock.retryIntervalSeconds });
    const plan = planProbes(prediction.cells, choices, live.services, { mode: options.target, runId: options.runId, schedule });
    const tooMany = plan.probes.length > MAX_SOURCES || plan.probes.some((p) => p.cells.length > MAX_TARGETS_PER_SOURCE);
    if (tooMany) return { ...empty, drift, problems, fatal: `verify probes at most ${MAX_SOURCES} sources with ${MAX_TARGETS_PER_SOURCE} targets each; this cluster's demos need more` };
    const unaddressable = plan.unaddressable.map((u) => judge(u.cell, { kind: "unmeasured", reason: u.reason }));
    const perProbe = await Promise.all(plan.probes.map((probe) => runProbe(api, probe, schedule, options, clock)));
    const results = [...perProbe.flat(), ...unaddressable];
    const reproduce: Record<string, string> = {};
    for (const probe of plan.probes) {
        for (const r of results.filter((r) => r.verdict === "mismatch" && r.cell.from === probe.workload)) {
            reproduce[cellId(r.cell)] = reproduceCommand(probe, probe.cells.find((c) => cellId(c) === cellId(r.cell))!, options.timeoutSeconds);
        }
    }
    return { drift, problems, results, reproduce, unprobed: prediction.unprobed };
}

/** The demo namespaces that exist, and their pods, Services and policies. A demo namespace that is missing is a problem. */
async function readLive(api: ClusterApi, intended: Intended): Promise<{ live: LiveState; problems: string[] }> {
    const all = await api.listNamespaces();
    const namespaces = all.filter((n) => intended.namespaces.includes(n.name));
    const problems = intended.namespaces.filter((n) => !namespaces.some((l) => l.name === n)).map((n) => `namespace ${n} does not exist; is the stack deployed to this cluster?`);
    const perNamespace = await Promise.all(namespaces.map(async (n) => {
        const [pods, services, policies] = await Promise.all([api.listPods(n.name), api.listServices(n.name), api.listNetworkPolicies(n.name)]);
        return { pods, services, policies };
    }));
    const live: LiveState = {
        namespaces,
        pods: perNamespace.flatMap((n) => n.pods),
        services: perNamespace.flatMap((n) => n.services),
        policies: perNamespace.flatMap((n) => n.policies),
    };
    return { live, problems };
}

/** Adds the probe container, waits for it to end (bounded), reads its log and judges each of its cells. */
async function runProbe(api: ClusterApi, probe: SourceProbe, schedule: ProbeSchedule, options: MeasureOptions, clock: Clock): Promise<CellResult[]> {
    const where = `pod ${probe.namespace}/${probe.pod}`;
    const unmeasured = (reason: string) => probe.cells.map((cell) => judge(cell, { kind: "unmeasured", reason }));
    const name = probe.container.name;
    try {
        await api.addEphemeralContainer(probe.namespace, probe.pod, probe.container);
        const limitMs = (options.startTimeoutSeconds + scriptSeconds(probe.cells.length, schedule)) * 1000;
        const end = await awaitEnd(api, probe, clock, clock.now() + limitMs);
        if (end.state === "absent" || end.state === "waiting") {
            const detail = end.state === "waiting" ? `${end.reason ?? "waiting"}${end.message ? `: ${clip(end.message, 200)}` : ""}` : "the kubelet has not created it";
            if (end.timedOut) return unmeasured(`the probe container in ${where} did not start within ${limitMs / 1000} s (${detail})`);
            return unmeasured(`the probe container in ${where} could not start: ${detail}`);
        }
        const log = parseProbeLog(await api.containerLog(probe.namespace, probe.pod, name, MAX_LOG_BYTES));
        const results = observationsFromLog(probe.cells, log);
        if (log.finished) return results;
        const why = end.state === "terminated"
            ? `the probe in ${where} exited with code ${end.exitCode}${end.message ? `: ${clip(end.message, 200)}` : ""} before trying this target`
            : `the probe in ${where} did not finish within ${limitMs / 1000} s (it was still running)`;
        return results.map((r) => (r.observation.kind === "unmeasured" ? judge(r.cell, { kind: "unmeasured", reason: why }) : r));
    } catch (e) {
        if (e instanceof KubeError) return unmeasured(e.message);
        throw e;
    }
}

/** Polls the container until it has terminated or cannot start, or until `deadline`. */
async function awaitEnd(api: ClusterApi, probe: SourceProbe, clock: Clock, deadline: number): Promise<ContainerState & { timedOut?: boolean }> {
    for (;;) {
        const state = await api.containerState(probe.namespace, probe.pod, probe.container.name);
        if (state.state === "terminated") return state;
        if (state.state === "waiting" && state.reason && STUCK.includes(state.reason)) return state;
        if (clock.now() >= deadline) return { ...state, timedOut: true };
        await clock.sleep(clock.pollMs);
    }
}
