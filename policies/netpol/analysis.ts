/**
 * The engine's front door: manifests in, a queryable analysis out; and the resolution of user-written flows
 * (`stars/frontend`, `ip:203.0.113.9`, a port number or name) into flows the evaluator can answer.
 */
import { parseAddress } from "./cidr";
import { compilePolicies, Policy } from "./compile";
import { InputError, Problems } from "./errors";
import { Flow, FlowEndpoint, Reachability, Verdict } from "./evaluate";
import { classify } from "./kinds";
import { isList, unwrapLists } from "./lists";
import { assumeMissingNamespaces, buildModel, ClusterModel, Endpoint, isPortNumber, isProtocol } from "./model";
import { show } from "./show";
import { closeMatches } from "./suggest";
import { PROTOCOLS, SourcedObject } from "./types";

export interface Analysis {
    model: ClusterModel;
    /** Endpoints by `namespace/name` (a Pod and a workload may share one). */
    endpointsById: Map<string, Endpoint[]>;
    policies: Policy[];
    reachability: Reachability;
    /** Namespaces that pods or policies use but no manifest defines; assumed to exist with only their name label. */
    assumedNamespaces: string[];
    /** Objects the engine does not use, counted by kind (`ConfigMap`, `NetworkPolicy (projectcalico.org/v3)`). */
    unused: Map<string, number>;
    /** Named ports in policies that no pod declares (for its protocol), so that they match nothing. */
    undeclaredPorts: UndeclaredPort[];
}

export interface UndeclaredPort {
    policy: Policy;
    /** `spec.ingress[0].ports[1].port` */
    path: string;
    name: string;
    protocol: string;
}

/**
 * Builds the model and compiles every policy. Throws one InputError listing every problem in the objects. This is
 * the engine's front door for anything that has Kubernetes objects: manifests from files (loadManifests), objects
 * from a live cluster, or a Pulumi program's.
 */
export function analyze(objects: SourcedObject[]): Analysis {
    const problems = new Problems();
    // Lists handed in whole (a PodList from the API) are read as their items, as loadManifests reads them from files.
    const items = objects.flatMap((o) => (isList(o.object) ? unwrapLists(o.object, () => problems.at(o.source)).map(({ object }) => ({ object, source: o.source })) : [o]));
    const classified = classify(items, problems);
    const model = buildModel(classified, problems);
    const policies = compilePolicies(classified.policies, problems);
    problems.throwIfAny();
    const used = [...model.endpoints.map((e) => e.namespace), ...policies.map((p) => p.namespace)];
    const assumedNamespaces = assumeMissingNamespaces(model, used);
    const endpointsById = new Map<string, Endpoint[]>();
    for (const e of model.endpoints) endpointsById.set(e.id, [...(endpointsById.get(e.id) ?? []), e]);
    return {
        model,
        endpointsById,
        policies,
        reachability: new Reachability(model, policies),
        assumedNamespaces,
        unused: classified.unused,
        undeclaredPorts: undeclaredPorts(model, policies),
    };
}

/** Throws an InputError when the objects hold no Pod or workload: there is nothing to ask about. */
export function requireEndpoints(analysis: Analysis, input: string): void {
    if (analysis.model.endpoints.length > 0) return;
    const counts = [...analysis.unused.entries(), ["Namespace", analysis.model.namespaces.size - analysis.assumedNamespaces.length] as const, ["NetworkPolicy", analysis.policies.length] as const]
        .filter(([, n]) => n > 0)
        .map(([kind, n]) => `${n} ${kind}`);
    const found = counts.length > 0 ? `only ${counts.join(", ")}` : "nothing";
    throw new InputError([{ message: `${input}: no Pods or workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob), ${found}; netpol needs at least one pod to answer for` }]);
}

/** Every named port of a policy rule that no pod of the model declares for that protocol. */
function undeclaredPorts(model: ClusterModel, policies: Policy[]): UndeclaredPort[] {
    const declared = new Set(model.shapes.flatMap((s) => s.ports.filter((p) => p.name).map((p) => `${p.name}/${p.protocol}`)));
    const found: UndeclaredPort[] = [];
    for (const policy of policies) {
        for (const direction of ["ingress", "egress"] as const) {
            for (const rule of policy.rules[direction] ?? []) {
                if (rule.ports === "any") continue;
                for (const m of rule.ports) {
                    if (typeof m.port !== "string" || declared.has(`${m.port}/${m.protocol}`)) continue;
                    found.push({ policy, path: `spec.${direction}[${rule.index}].ports[${m.index}].port`, name: m.port, protocol: m.protocol });
                }
            }
        }
    }
    return found;
}

/** A flow as a person writes it, in a flows file or on the command line. */
export interface FlowSpec {
    from: unknown;
    to: unknown;
    port: unknown;
    protocol?: unknown;
}

/** How a problem names a field of the flow: `[3].from` in a flows file, `--from` on the command line. */
export type FieldName = (field: keyof FlowSpec) => string;

/** Resolves a written flow, reporting each problem instead of throwing. */
export function resolveFlow(analysis: Analysis, spec: FlowSpec, problems: Problems, name: FieldName = (f) => f): Flow | undefined {
    const from = resolveEndpoint(analysis, spec.from, problems, name("from"));
    const to = resolveEndpoint(analysis, spec.to, problems, name("to"));
    const protocol = spec.protocol ?? "TCP";
    if (!isProtocol(protocol)) {
        problems.add(`protocol must be one of ${PROTOCOLS.join(", ")}, got ${show(protocol)}`, name("protocol"));
        return undefined;
    }
    const port = resolvePort(spec.port, to, protocol, problems, name("port"));
    return from && to && port !== undefined ? { from, to, port, protocol } : undefined;
}

/** Evaluates one written flow; throws InputError if it does not resolve. */
export function evaluateFlow(analysis: Analysis, spec: FlowSpec, name?: FieldName): { flow: Flow; verdict: Verdict } {
    const problems = new Problems();
    const flow = resolveFlow(analysis, spec, problems, name);
    problems.throwIfAny();
    return { flow: flow!, verdict: analysis.reachability.evaluate(flow!) };
}

/** `namespace/name`, `namespace/kind/name` (when a Pod and a workload share a name) or `ip:<address>`. */
export function resolveEndpoint(analysis: Analysis, text: unknown, problems: Problems, path: string): FlowEndpoint | undefined {
    if (typeof text !== "string" || text === "") {
        problems.add(`must be an endpoint: namespace/name or ip:<address>, got ${show(text)}`, path);
        return undefined;
    }
    if (text.startsWith("ip:")) {
        const address = parseAddress(text.slice(3));
        if (!address) problems.add(`${show(text)} is not an IPv4 or IPv6 address; use the form ip:203.0.113.9`, path);
        return address && { kind: "external", id: text, address };
    }
    const matches = findEndpoints(analysis, text);
    if (matches.length === 1) return toFlowEndpoint(matches[0]);
    if (matches.length > 1) {
        const choices = matches.map((e) => `${e.namespace}/${e.kind.toLowerCase()}/${e.name}`).join(" or ");
        problems.add(`${show(text)} names more than one object; write ${choices}`, path);
        return undefined;
    }
    const suggestions = suggestionsFor(analysis, text);
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.join(", ")}?` : "; endpoints are namespace/name of a Pod or workload, or ip:<address>";
    problems.add(`unknown endpoint ${show(text)}${hint}`, path);
    return undefined;
}

/**
 * Suggestions cost an edit distance to every endpoint, so only the first `MAX_SUGGESTED` unknown endpoints of an
 * analysis get them: a flows file of 100,000 flows with the same mistake would otherwise take many minutes to refuse.
 */
const MAX_SUGGESTED = 20;
const suggested = new WeakMap<Analysis, number>();

function suggestionsFor(analysis: Analysis, text: string): string[] {
    const count = suggested.get(analysis) ?? 0;
    suggested.set(analysis, count + 1);
    return count < MAX_SUGGESTED ? closeMatches(text, analysis.model.endpoints.map((e) => e.id)) : [];
}

export function toFlowEndpoint(e: Endpoint): FlowEndpoint {
    return { kind: "pod", id: e.id, shape: e.shape, singlePod: e.kind === "Pod" };
}

function findEndpoints(analysis: Analysis, text: string): Endpoint[] {
    const parts = text.split("/");
    if (parts.length === 3) {
        const [namespace, kind, name] = parts;
        return (analysis.endpointsById.get(`${namespace}/${name}`) ?? []).filter((e) => e.kind.toLowerCase() === kind.toLowerCase());
    }
    return analysis.endpointsById.get(text) ?? [];
}

/** A port number, or a port name resolved on the destination pod's containers for this protocol. */
function resolvePort(port: unknown, to: FlowEndpoint | undefined, protocol: string, problems: Problems, path: string): number | undefined {
    if (typeof port === "number") {
        if (isPortNumber(port)) return port;
        problems.add(`port must be a whole number from 1 to 65535 or a port name, got ${port}`, path);
        return undefined;
    }
    if (typeof port !== "string" || port === "") {
        problems.add(`port must be a number or a port name, got ${show(port)}`, path);
        return undefined;
    }
    if (/^\d+$/.test(port)) return resolvePort(Number(port), to, protocol, problems, path);
    if (!to) return undefined; // the destination's own problem is reported already
    if (to.kind === "external") {
        problems.add(`named port ${show(port)} needs a pod destination; ${to.id} is outside the cluster, so give a number`, path);
        return undefined;
    }
    const declared = to.shape.ports.find((p) => p.name === port && p.protocol === protocol);
    if (declared) return declared.port;
    const names = to.shape.ports.filter((p) => p.name).map((p) => `${p.name} (${p.protocol} ${p.port})`);
    problems.add(`${to.id} declares no ${protocol} port named ${show(port)}; it declares ${names.length > 0 ? names.join(", ") : "no named ports"}`, path);
    return undefined;
}
