/**
 * The probes of one run: for each source workload, one ephemeral container in its chosen pod that tries every
 * destination port, by Service ClusterIP (as traffic usually goes) or by pod IP. Ephemeral containers cannot be
 * removed once added (they stay in the pod's spec, stopped, until the pod is replaced), so a run adds exactly one per
 * source pod, with a name unique to the run, and it ends by itself.
 */
import { ExpectedCell, LivePod, LiveService } from "./types";
import { ProbeSchedule, ProbeTarget, probeCommand } from "./probeScript";
import { PodChoice, selects } from "./workloads";

/**
 * agnhost (the Kubernetes e2e tests' network client), multi-arch (amd64, arm64 and more; Alpine-based, so it has
 * /bin/sh), pinned by tag and by the digest of its multi-arch index.
 */
export const PROBE_IMAGE = "registry.k8s.io/e2e-test-images/agnhost:2.53@sha256:99c6b4bb4a1e1df3f0b3752168c89358794d02258ebebc26bf21c29399011a85";

export const CONTAINER_PREFIX = "netpol-verify-";

/** Bounds on a run, so one ephemeral container's command stays small. */
export const MAX_SOURCES = 50;
export const MAX_TARGETS_PER_SOURCE = 100;

export type TargetMode = "service" | "pod";

export interface ProbeCell extends ExpectedCell {
    /** Where the probe connects: `172.20.14.3:6379`. */
    address: string;
    /** What the address is: `service stars/backend` or `pod stars/backend-5d9f-x2b`. */
    via: string;
}

export interface EphemeralContainer {
    name: string;
    image: string;
    imagePullPolicy: "IfNotPresent";
    command: string[];
    securityContext: Record<string, unknown>;
    terminationMessagePolicy: "FallbackToLogsOnError";
}

export interface SourceProbe {
    workload: string;
    namespace: string;
    pod: string;
    container: EphemeralContainer;
    /** The cells this probe measures, by their index in the script's output. */
    cells: ProbeCell[];
}

export interface ProbePlan {
    probes: SourceProbe[];
    /** Cells with no address to probe (the destination has no usable pod), with the reason. */
    unaddressable: { cell: ExpectedCell; reason: string }[];
}

/**
 * The container's security context: what Pod Security's "restricted" level asks, and a non-root user of its own, so
 * it starts in pods whose securityContext sets runAsNonRoot (agnhost's image would run as root).
 */
export const PROBE_SECURITY_CONTEXT = {
    runAsNonRoot: true,
    runAsUser: 65534,
    runAsGroup: 65534,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

export function planProbes(cells: ExpectedCell[], choices: PodChoice[], services: LiveService[], options: { mode: TargetMode; runId: string; schedule: ProbeSchedule }): ProbePlan {
    const pods = new Map(choices.flatMap((c) => ("pod" in c ? [[c.workload.id, c.pod] as const] : [])));
    const unaddressable: ProbePlan["unaddressable"] = [];
    const bySource = new Map<string, ProbeCell[]>();
    for (const cell of cells) {
        const destination = pods.get(cell.to);
        if (!pods.has(cell.from)) continue; // the source's own problem is reported already
        if (!destination) {
            unaddressable.push({ cell, reason: `${cell.to} has no pod to connect to` });
            continue;
        }
        const target = options.mode === "service" ? serviceAddress(cell, destination, services) ?? podAddress(cell, destination) : podAddress(cell, destination);
        bySource.set(cell.from, [...(bySource.get(cell.from) ?? []), { ...cell, ...target }]);
    }
    const probes = [...bySource.entries()].map(([workload, probeCells]) => {
        const pod = pods.get(workload)!;
        const targets: ProbeTarget[] = probeCells.map((c, index) => ({ index, address: c.address, expect: c.allowed ? "allowed" : "blocked" }));
        return { workload, namespace: pod.namespace, pod: pod.name, container: probeContainer(`${CONTAINER_PREFIX}${options.runId}`, targets, options.schedule), cells: probeCells };
    });
    return { probes, unaddressable };
}

export function probeContainer(name: string, targets: ProbeTarget[], schedule: ProbeSchedule): EphemeralContainer {
    return {
        name,
        image: PROBE_IMAGE,
        imagePullPolicy: "IfNotPresent",
        command: probeCommand(targets, schedule),
        securityContext: PROBE_SECURITY_CONTEXT,
        terminationMessagePolicy: "FallbackToLogsOnError",
    };
}

/** `host:port`, with an IPv6 host in brackets as agnhost (Go's net.SplitHostPort) wants it. */
export function hostPort(ip: string, port: number): string {
    return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function podAddress(cell: ExpectedCell, pod: LivePod): { address: string; via: string } {
    return { address: hostPort(pod.ip!, cell.port), via: `pod ${pod.namespace}/${pod.name}` };
}

/**
 * The ClusterIP and port of a Service in front of the destination pod that forwards to the cell's container port (by
 * number, or by the name the pod gives that port). Headless Services and Services without a selector do not count.
 */
function serviceAddress(cell: ExpectedCell, pod: LivePod, services: LiveService[]): { address: string; via: string } | undefined {
    const portNames = new Set(pod.containers.flatMap((c) => c.ports ?? []).filter((p) => p.containerPort === cell.port && p.name).map((p) => p.name));
    for (const service of [...services].sort((a, b) => a.name.localeCompare(b.name))) {
        if (service.namespace !== pod.namespace || !service.clusterIP || service.clusterIP === "None") continue;
        if (!service.selector || Object.keys(service.selector).length === 0 || !selects(service.selector, pod.labels)) continue;
        const port = service.ports.find((p) => (p.protocol ?? "TCP") === cell.protocol && (targetOf(p) === cell.port || portNames.has(String(p.targetPort))));
        if (port) return { address: hostPort(service.clusterIP, port.port), via: `service ${service.namespace}/${service.name}` };
    }
    return undefined;
}

/** A Service port's target: its targetPort, which defaults to the port itself. */
function targetOf(p: { port: number; targetPort?: number | string }): number | string {
    return p.targetPort ?? p.port;
}

/** A command a person can run to try one cell by hand (it adds one more ephemeral container to the pod). */
export function reproduceCommand(probe: { namespace: string; pod: string }, cell: ProbeCell, timeoutSeconds: number): string {
    return `kubectl debug -n ${probe.namespace} ${probe.pod} -it --profile=general --image=${PROBE_IMAGE} -- /agnhost connect ${cell.address} --timeout=${timeoutSeconds}s`;
}

