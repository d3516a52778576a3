/**
 * verify's view of the Kubernetes API: the few requests it makes, through @kubernetes/client-node (which runs the
 * kubeconfig's `aws eks get-token` exec), each bounded in time, each failure turned into one line that says which
 * request failed, why, and for a 403 which permission is missing. Items come back as the plain data of
 * policies/live/types.ts.
 */
import * as k8s from "@kubernetes/client-node";
import { PolicyRef } from "../policies/live/drift";
import { NetworkPolicySpec } from "../policies/netpol/types";
import { EphemeralContainer } from "../policies/live/probePlan";
import { ruleFor } from "../policies/live/rbac";
import { clip } from "../policies/live/report";
import { LiveNamespace, LivePod, LiveService } from "../policies/live/types";

export type ContainerState =
    | { state: "absent" }
    | { state: "waiting"; reason?: string; message?: string }
    | { state: "running" }
    | { state: "terminated"; exitCode: number; reason?: string; message?: string };

/** What verify asks of a cluster. */
export interface ClusterApi {
    /** `context <name> (<server>)`, for the report. */
    readonly description: string;
    listNamespaces(): Promise<LiveNamespace[]>;
    listPods(namespace: string): Promise<LivePod[]>;
    listServices(namespace: string): Promise<LiveService[]>;
    listNetworkPolicies(namespace: string): Promise<PolicyRef[]>;
    addEphemeralContainer(namespace: string, pod: string, container: EphemeralContainer): Promise<void>;
    containerState(namespace: string, pod: string, container: string): Promise<ContainerState>;
    containerLog(namespace: string, pod: string, container: string, limitBytes: number): Promise<string>;
}

/** A request that failed: what was asked, and why, in one line. `kind` tells a denial from an unreachable server. */
export class KubeError extends Error {
    constructor(readonly kind: "forbidden" | "unauthorized" | "credentials" | "unreachable" | "timeout" | "api", message: string) {
        super(message);
        this.name = "KubeError";
    }
}

/**
 * Reads a kubeconfig (files, merged as kubectl merges a KUBECONFIG list, or its text) and picks the context. Throws an
 * Error whose message says what is wrong.
 */
export function loadKubeConfig(source: { files?: string[]; text?: string; context?: string }): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    if (source.files !== undefined) {
        kc.loadFromFile(source.files[0]);
        for (const file of source.files.slice(1)) {
            const more = new k8s.KubeConfig();
            more.loadFromFile(file);
            kc.mergeConfig(more, true);
        }
    } else {
        kc.loadFromString(source.text ?? "");
    }
    if (source.context !== undefined) {
        if (!kc.getContextObject(source.context)) throw new Error(`the kubeconfig has no context ${JSON.stringify(source.context)}; it has ${kc.getContexts().map((c) => c.name).join(", ") || "none"}`);
        kc.setCurrentContext(source.context);
    }
    if (!kc.getCurrentCluster()) throw new Error("the kubeconfig names no current context with a cluster; pass --context");
    return kc;
}

export function clusterApi(kc: k8s.KubeConfig, options: { requestTimeoutMs: number }): ClusterApi {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const networking = kc.makeApiClient(k8s.NetworkingV1Api);
    const bounded = { middleware: [deadline(options.requestTimeoutMs)], middlewareMergeStrategy: "append" as const };
    const call = <T>(what: string, verb: string, resource: string, request: () => Promise<T>) => within(options.requestTimeoutMs, what, verb, resource, request);
    return {
        description: `context ${kc.getCurrentContext()} (${kc.getCurrentCluster()!.server})`,
        listNamespaces: async () => {
            const list = await call("list namespaces", "list", "namespaces", () => core.listNamespace({}, bounded));
            return list.items.map((n) => ({ name: n.metadata?.name ?? "", labels: n.metadata?.labels ?? {} }));
        },
        listPods: async (namespace) => {
            const list = await call(`list pods in ${namespace}`, "list", "pods", () => core.listNamespacedPod({ namespace }, bounded));
            return list.items.map(livePod);
        },
        listServices: async (namespace) => {
            const list = await call(`list services in ${namespace}`, "list", "services", () => core.listNamespacedService({ namespace }, bounded));
            return list.items.map((s) => ({
                namespace,
                name: s.metadata?.name ?? "",
                clusterIP: s.spec?.clusterIP,
                selector: s.spec?.selector,
                ports: (s.spec?.ports ?? []).map((p) => ({ port: p.port, targetPort: p.targetPort as number | string | undefined, protocol: p.protocol })),
            }));
        },
        listNetworkPolicies: async (namespace) => {
            const list = await call(`list networkpolicies in ${namespace}`, "list", "networkpolicies", () => networking.listNamespacedNetworkPolicy({ namespace }, bounded));
            return list.items.map((p) => ({ namespace, name: p.metadata?.name ?? "", spec: (apiJson(p.spec, "V1NetworkPolicySpec") ?? {}) as NetworkPolicySpec }));
        },
        addEphemeralContainer: async (namespace, pod, container) => {
            // A strategic merge patch appends to spec.ephemeralContainers (merge key: name), as `kubectl debug` does.
            const options = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch, bounded);
            const body = { spec: { ephemeralContainers: [container] } };
            await call(`add ephemeral container ${container.name} to pod ${namespace}/${pod}`, "patch", "pods/ephemeralcontainers", () =>
                core.patchNamespacedPodEphemeralcontainers({ namespace, name: pod, body }, options));
        },
        containerState: async (namespace, pod, container) => {
            const list = await call(`list pods in ${namespace}`, "list", "pods", () => core.listNamespacedPod({ namespace, fieldSelector: `metadata.name=${pod}` }, bounded));
            const status = list.items[0]?.status?.ephemeralContainerStatuses?.find((s) => s.name === container);
            const state = status?.state;
            if (state?.terminated) return { state: "terminated", exitCode: state.terminated.exitCode, reason: state.terminated.reason, message: state.terminated.message };
            if (state?.running) return { state: "running" };
            if (state?.waiting) return { state: "waiting", reason: state.waiting.reason, message: state.waiting.message };
            return { state: "absent" };
        },
        containerLog: (namespace, pod, container, limitBytes) =>
            call(`read the log of ${namespace}/${pod} container ${container}`, "get", "pods/log", () =>
                core.readNamespacedPodLog({ namespace, name: pod, container, limitBytes }, bounded)),
    };
}

function livePod(p: k8s.V1Pod): LivePod {
    return {
        namespace: p.metadata?.namespace ?? "",
        name: p.metadata?.name ?? "",
        labels: p.metadata?.labels ?? {},
        ip: p.status?.podIP,
        phase: p.status?.phase,
        ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
        owned: (p.metadata?.ownerReferences ?? []).some((o) => o.controller),
        deleting: p.metadata?.deletionTimestamp !== undefined,
        containers: (p.spec?.containers ?? []).map((c) => ({ name: c.name, ports: (c.ports ?? []).map((port) => ({ name: port.name, containerPort: port.containerPort, protocol: port.protocol })) })),
    };
}

/**
 * A model object of the client as the JSON the API server sent. The client renames some fields on the way in (an
 * ingress rule's `from` becomes `_from`); each model's attribute map says what the wire name was. Absent fields stay
 * absent.
 */
export function apiJson(value: unknown, type: string): unknown {
    if (value === undefined || value === null) return undefined;
    const list = /^Array<(.+)>$/.exec(type);
    if (list && Array.isArray(value)) return value.map((item) => apiJson(item, list[1]));
    const model = (k8s as unknown as Record<string, { getAttributeTypeMap?: () => { name: string; baseName: string; type: string }[] }>)[type];
    if (!model?.getAttributeTypeMap) return value; // a string, number, IntOrString or map
    const json: Record<string, unknown> = {};
    for (const attribute of model.getAttributeTypeMap()) {
        const field = apiJson((value as Record<string, unknown>)[attribute.name], attribute.type);
        if (field !== undefined) json[attribute.baseName] = field;
    }
    return json;
}

/** Aborts each HTTP request that takes longer than `ms`. */
function deadline(ms: number): k8s.ObservableMiddleware {
    return {
        pre: (context) => {
            context.setSignal(AbortSignal.timeout(ms));
            return new k8s.Observable(Promise.resolve(context));
        },
        post: (response) => new k8s.Observable(Promise.resolve(response)),
    };
}

/**
 * Runs one request within `ms` (the exec that fetches a token included, which no HTTP timeout covers), and turns any
 * failure into a KubeError that says what was asked.
 */
async function within<T>(ms: number, what: string, verb: string, resource: string, request: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new KubeError("timeout", `${what}: no answer within ${ms / 1000} s`)), ms);
    });
    try {
        return await Promise.race([request(), timeout]);
    } catch (e) {
        throw e instanceof KubeError ? e : toKubeError(e, what, `${verb} ${resource}`);
    } finally {
        clearTimeout(timer);
    }
}

export function toKubeError(e: unknown, what: string, permission: string): KubeError {
    const error = e as { code?: unknown; body?: unknown; name?: string; message?: string; type?: string };
    if (typeof error.code === "number") {
        const status = statusOf(error.body);
        const said = status.message ? `: ${clip(status.message, 300)}` : "";
        if (error.code === 401) return new KubeError("unauthorized", `${what}: 401 Unauthorized${said}; the credentials the kubeconfig runs for (aws eks get-token) are not accepted by this cluster`);
        if (error.code === 403) {
            const [verb, resource] = permission.split(" ");
            return new KubeError("forbidden", `${what}: 403 Forbidden${said}; verify needs ${ruleFor(verb, resource)} (see "Verify's permissions" in the README)`);
        }
        return new KubeError("api", `${what}: ${error.code} ${status.reason ?? "error"}${said}`);
    }
    const message = clip((error.message ?? String(e)).split("\n")[0], 300);
    // The kubeconfig's exec (aws eks get-token) could not run: client-node passes spawn's error on as it is.
    if ((error as { syscall?: string }).syscall?.startsWith("spawn")) {
        return new KubeError("credentials", `${what}: could not run the kubeconfig's credential command (${message}); is the AWS CLI installed and on PATH?`);
    }
    if (error.name === "AbortError") return new KubeError("timeout", `${what}: no answer in time (${message})`);
    return new KubeError("unreachable", `${what}: could not reach the API server: ${message}`);
}

/** The metav1.Status the API server sends with an error, if the body is one. */
function statusOf(body: unknown): { reason?: string; message?: string } {
    try {
        const status = typeof body === "string" ? JSON.parse(body) : body;
        return typeof status === "object" && status !== null ? { reason: status.reason, message: status.message } : {};
    } catch {
        return {};
    }
}
