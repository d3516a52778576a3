/**
 * Which workloads verify measures, and from which pod: the demo workloads `plan` says the stack deploys, each found
 * among the live pods by its selector. A probe runs in a real pod of the workload (not a new bare pod: the VPC CNI
 * applies no NetworkPolicy to a pod without an owner), so both its egress and the destination's ingress apply.
 */
import { DeploymentObject } from "../manifests";
import { KubeObject, Labels } from "../netpol/types";
import { PolicyRef } from "./drift";
import { Intended, LivePod, PlannedWorkload } from "./types";

/** What the stack deploys, from plan's manifests and its list of demo workloads (`namespace/name` of Deployments). */
export function intendedFrom(manifests: KubeObject[], workloadIds: string[]): Intended {
    const wanted = new Set(workloadIds);
    const workloads: PlannedWorkload[] = manifests
        .filter((m) => m.kind === "Deployment" && wanted.has(`${m.metadata?.namespace}/${m.metadata?.name}`))
        .map((m) => {
            const d = m as unknown as DeploymentObject;
            return { id: `${d.metadata.namespace}/${d.metadata.name}`, namespace: d.metadata.namespace, name: d.metadata.name, selector: d.spec.selector.matchLabels };
        })
        .sort((a, b) => a.id.localeCompare(b.id));
    const policies: PolicyRef[] = manifests
        .filter((m) => m.kind === "NetworkPolicy")
        .map((m) => ({ namespace: m.metadata?.namespace ?? "default", name: m.metadata?.name ?? "", spec: m.spec ?? {} }));
    const namespaces = [...new Set([...workloads.map((w) => w.namespace), ...policies.map((p) => p.namespace)])].sort();
    return { workloads, policies, namespaces };
}

export function selects(selector: Labels, labels: Labels): boolean {
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export type PodChoice = { workload: PlannedWorkload; pod: LivePod } | { workload: PlannedWorkload; problem: string };

/**
 * The pod of each workload that probes and stands for it: running, ready, owned by a controller and not being
 * deleted; the first by name, so reruns pick the same one while it lives. A workload without one is a problem to
 * report (verify cannot measure it), never a reason to create a pod.
 */
export function choosePods(workloads: PlannedWorkload[], pods: LivePod[]): PodChoice[] {
    return workloads.map((workload) => {
        const candidates = pods.filter((p) => p.namespace === workload.namespace && selects(workload.selector, p.labels)).sort((a, b) => a.name.localeCompare(b.name));
        const usable = candidates.find((p) => p.phase === "Running" && p.ready && p.owned && !p.deleting && p.ip);
        if (usable) return { workload, pod: usable };
        if (candidates.length === 0) return { workload, problem: `no pod in namespace ${workload.namespace} matches its selector ${labelText(workload.selector)}; is it deployed?` };
        const states = candidates.slice(0, 3).map((p) => `${p.name} (${podState(p)})`);
        return { workload, problem: `none of its ${candidates.length} pods is running, ready and owned by a controller: ${states.join(", ")}${candidates.length > 3 ? ", ..." : ""}` };
    });
}

function podState(p: LivePod): string {
    if (p.deleting) return "being deleted";
    if (!p.owned) return "no owner";
    if (p.phase !== "Running") return p.phase ?? "no phase";
    return p.ready ? "no IP" : "not ready";
}

export function labelText(labels: Labels): string {
    return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
}

/**
 * The workload as the engine sees it, from its live pod: the pod's own labels and container ports, so the prediction
 * is about the pods that are really there.
 */
export function workloadObject(workload: PlannedWorkload, pod: LivePod): KubeObject {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: workload.name, namespace: workload.namespace },
        spec: { template: { metadata: { labels: pod.labels }, spec: { containers: pod.containers } } },
    };
}
