/**
 * Which objects the engine uses, checked for the metadata every use relies on; the rest counted by kind.
 *
 * A kind is used only in its own API group: Calico's `projectcalico.org/v3` NetworkPolicy has the same kind name and a
 * different meaning, so it is counted as unused (and said so), never read as a Kubernetes NetworkPolicy. An object
 * without apiVersion is taken to be in its kind's usual group (manifests written by hand often leave it out).
 *
 * Two objects of the same kind, namespace and name are an error naming both places: Kubernetes would keep one, and
 * which depends on the order they were applied in.
 */
import { mappingAt, Problems } from "./errors";
import { namespaceNameProblem, objectNameProblem } from "./names";
import { show, showName } from "./show";
import { KubeObject, Source, SourcedObject } from "./types";

export type Role = "namespace" | "endpoint" | "policy";

/** What objects without a kind are counted under. */
export const NO_KIND = "(no kind)";

/** The pod-creating kinds whose pod template stands for their pods. */
export const WORKLOAD_KINDS = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController", "Job", "CronJob"];

/** Each used kind, its API groups ("" is the core group of `apiVersion: v1`) and what the engine makes of it. */
const USED: Record<string, { groups: string[]; role: Role }> = {
    Namespace: { groups: [""], role: "namespace" },
    Pod: { groups: [""], role: "endpoint" },
    ReplicationController: { groups: [""], role: "endpoint" },
    Deployment: { groups: ["apps", "extensions"], role: "endpoint" },
    ReplicaSet: { groups: ["apps", "extensions"], role: "endpoint" },
    DaemonSet: { groups: ["apps", "extensions"], role: "endpoint" },
    StatefulSet: { groups: ["apps"], role: "endpoint" },
    Job: { groups: ["batch"], role: "endpoint" },
    CronJob: { groups: ["batch"], role: "endpoint" },
    NetworkPolicy: { groups: ["networking.k8s.io", "extensions"], role: "policy" },
};

/** A used object whose kind, name and namespace are known good. */
export interface Classified {
    object: KubeObject;
    source: Source;
    kind: string;
    name: string;
    /** The object's namespace ("default" when absent, as kubectl applies it); a Namespace's own name. */
    namespace: string;
}

export interface Classification {
    namespaces: Classified[];
    endpoints: Classified[];
    policies: Classified[];
    /** Objects not used, counted by kind (`ConfigMap`, `NetworkPolicy (projectcalico.org/v3)`, `(no kind)`). */
    unused: Map<string, number>;
}

/** Sorts `objects` by what the engine makes of them, reporting bad metadata and duplicates to `problems`. */
export function classify(objects: SourcedObject[], problems: Problems): Classification {
    const result: Classification = { namespaces: [], endpoints: [], policies: [], unused: new Map() };
    const seen = new Map<string, Source>();
    for (const { object, source } of objects) {
        const at = problems.at(source);
        const role = roleOf(object, at);
        if (role === undefined) continue;
        if (typeof role !== "string") {
            result.unused.set(role.unused, (result.unused.get(role.unused) ?? 0) + 1);
            continue;
        }
        const identified = identify(object, source, at);
        if (!identified) continue;
        const identity = role === "namespace" ? `Namespace ${identified.name}` : `${identified.kind} ${identified.namespace}/${identified.name}`;
        const first = seen.get(identity);
        if (first) {
            at.add(`${identity} is defined twice (first at ${first.file}:${first.line})`);
            continue;
        }
        seen.set(identity, source);
        ({ namespace: result.namespaces, endpoint: result.endpoints, policy: result.policies })[role].push(identified);
    }
    return result;
}

/** What the engine makes of `object`: a role, `{unused}` with the kind to count it under, or undefined if malformed. */
export function roleOf(object: KubeObject, problems: Problems): Role | { unused: string } | undefined {
    const { kind, apiVersion } = object as { kind?: unknown; apiVersion?: unknown };
    if (kind === undefined) return { unused: NO_KIND };
    if (typeof kind !== "string" || kind === "") return void problems.add(`must be a kind name such as Pod, got ${show(kind)}`, "kind");
    if (apiVersion !== undefined && (typeof apiVersion !== "string" || apiVersion === "")) return void problems.add(`must be a version such as v1 or apps/v1, got ${show(apiVersion)}`, "apiVersion");
    const used = USED[kind];
    if (!used) return { unused: showName(kind) };
    if (apiVersion === undefined) return used.role;
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    return used.groups.includes(group) ? used.role : { unused: `${kind} (${showName(apiVersion)})` };
}

/** The object's kind, name and namespace, checked as the API server would; undefined (and problems) if bad. */
function identify(object: KubeObject, source: Source, problems: Problems): Classified | undefined {
    const kind = object.kind!;
    const metadata = mappingAt<Record<string, unknown>>(object.metadata, "metadata", problems);
    const name = metadata?.name;
    const namespace = metadata?.namespace;
    const before = problems.list.length;
    if (typeof name !== "string" || name === "") {
        problems.add(name === undefined ? `${kind} has no name` : `must be a non-empty string, got ${show(name)}`, "metadata.name");
    } else {
        const bad = kind === "Namespace" ? namespaceNameProblem(name) : objectNameProblem(name);
        if (bad) problems.add(bad, "metadata.name");
    }
    if (namespace !== undefined && kind !== "Namespace") {
        if (typeof namespace !== "string") problems.add(`must be a string, got ${show(namespace)}`, "metadata.namespace");
        else if (namespace !== "") {
            const bad = namespaceNameProblem(namespace);
            if (bad) problems.add(bad, "metadata.namespace");
        }
    }
    if (problems.list.length > before || typeof name !== "string") return undefined;
    // An absent or empty namespace is "default", as kubectl applies it; a Namespace's namespace is itself.
    const ns = kind === "Namespace" ? name : typeof namespace === "string" && namespace !== "" ? namespace : "default";
    return { object, source, kind, name, namespace: ns };
}
