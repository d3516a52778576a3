/**
 * The cluster as the engine sees it: namespaces with their labels, and endpoints (pods and workloads) grouped into
 * shapes. A shape is everything NetworkPolicy can tell pods apart by (namespace, labels, container ports), so every
 * decision is made once per shape, however many pods share it.
 */
import { mappingAt, mappingsAt, Problems } from "./errors";
import { Container, ContainerPort, KubeObject, Labels, PodSpec, PodTemplate, Protocol, PROTOCOLS, Source, SourcedObject } from "./types";

/** The label the API server puts on every namespace (Kubernetes 1.21+), so selectors can name a namespace. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export interface Namespace {
    name: string;
    labels: Labels;
    /** False when no Namespace object was given and one was assumed, with only the automatic label. */
    defined: boolean;
}

export interface Port {
    name?: string;
    port: number;
    protocol: Protocol;
}

export interface Shape {
    id: number;
    namespace: string;
    labels: Labels;
    ports: Port[];
}

export const WORKLOAD_KINDS = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController", "Job", "CronJob"];

/** A pod, or a workload standing for the pods of its template. */
export interface Endpoint {
    /** `namespace/name` */
    id: string;
    kind: string;
    namespace: string;
    name: string;
    shape: Shape;
    source: Source;
}

export interface ClusterModel {
    namespaces: Map<string, Namespace>;
    endpoints: Endpoint[];
    shapes: Shape[];
}

/** Builds namespaces and endpoints from manifests. Kinds other than Namespace, Pod and workloads are ignored here. */
export function buildModel(objects: SourcedObject[], problems: Problems): ClusterModel {
    const namespaces = new Map<string, Namespace>();
    const endpoints: Endpoint[] = [];
    const shapes = new ShapeTable();
    const seen = new Map<string, Source>();

    for (const { object, source } of objects) {
        const at = problems.at(source);
        const kind = object.kind ?? "";
        if (kind !== "Namespace" && kind !== "Pod" && !WORKLOAD_KINDS.includes(kind)) continue;
        const name = object.metadata?.name;
        if (typeof name !== "string" || name === "") {
            at.add(`${kind} has no metadata.name`);
            continue;
        }
        const identity = kind === "Namespace" ? `Namespace ${name}` : `${kind} ${namespaceOf(object)}/${name}`;
        const first = seen.get(identity);
        if (first) {
            at.add(`${identity} is defined twice (first at ${first.file}:${first.line})`);
            continue;
        }
        seen.set(identity, source);

        if (kind === "Namespace") {
            namespaces.set(name, { name, labels: { ...labelsOf(object.metadata?.labels, "metadata.labels", at), [NAMESPACE_NAME_LABEL]: name }, defined: true });
            continue;
        }
        const template = podTemplateOf(object);
        if (object.metadata?.namespace !== undefined && typeof object.metadata.namespace !== "string") at.add("must be a string", "metadata.namespace");
        const namespace = namespaceOf(object);
        const labels = labelsOf(template.metadata?.labels, templatePath(kind, "metadata.labels"), at);
        const ports = portsOf(mappingAt<PodSpec>(template.spec, templatePath(kind, "spec"), at), templatePath(kind, "spec"), at);
        endpoints.push({ id: `${namespace}/${name}`, kind, namespace, name, shape: shapes.intern(namespace, labels, ports), source });
    }
    return { namespaces, endpoints, shapes: shapes.all };
}

/** Adds a namespace, with only its automatic label, for every name used but not defined. Returns the names added. */
export function assumeMissingNamespaces(model: ClusterModel, used: Iterable<string>): string[] {
    const added: string[] = [];
    for (const name of used) {
        if (model.namespaces.has(name)) continue;
        model.namespaces.set(name, { name, labels: { [NAMESPACE_NAME_LABEL]: name }, defined: false });
        added.push(name);
    }
    return added.sort();
}

/** The object's namespace; "default" when absent, as kubectl applies it. */
export function namespaceOf(object: KubeObject): string {
    const namespace = object.metadata?.namespace;
    return typeof namespace === "string" && namespace !== "" ? namespace : "default";
}

function podTemplateOf(object: KubeObject): PodTemplate {
    switch (object.kind) {
        case "Pod":
            return { metadata: object.metadata, spec: object.spec };
        case "CronJob":
            return object.spec?.jobTemplate?.spec?.template ?? {};
        case "ReplicationController": {
            // An RC without template labels takes them from its selector (and vice versa), as the API server defaults.
            const template: PodTemplate = object.spec?.template ?? {};
            const labels = template.metadata?.labels ?? object.spec?.selector;
            return { ...template, metadata: { ...template.metadata, labels } };
        }
        default:
            return object.spec?.template ?? {};
    }
}

function templatePath(kind: string, field: string): string {
    if (kind === "Pod") return field;
    return kind === "CronJob" ? `spec.jobTemplate.spec.template.${field}` : `spec.template.${field}`;
}

function labelsOf(labels: unknown, path: string, problems: Problems): Labels {
    if (labels === undefined || labels === null) return {};
    if (typeof labels !== "object" || Array.isArray(labels)) {
        problems.add(`must be a map of label names to values, got ${JSON.stringify(labels)}`, path);
        return {};
    }
    const result: Labels = {};
    for (const [key, value] of Object.entries(labels)) {
        // YAML turns `tier: 1` or `enabled: true` into non-strings; Kubernetes would reject them, so do we.
        if (typeof value !== "string") problems.add(`label ${key} must be a string; quote ${JSON.stringify(value)} in YAML`, path);
        else result[key] = value;
    }
    return result;
}

/** Declared container ports, including those of restartable init containers (sidecars), which also serve traffic. */
function portsOf(spec: PodSpec | undefined, path: string, problems: Problems): Port[] {
    const ports: Port[] = [];
    const containers = [
        ...mappingsAt<Container>(spec?.containers, `${path}.containers`, problems).map(({ item, index }) => ({ c: item, at: `${path}.containers[${index}]` })),
        ...mappingsAt<Container>(spec?.initContainers, `${path}.initContainers`, problems)
            .filter(({ item }) => item.restartPolicy === "Always")
            .map(({ item, index }) => ({ c: item, at: `${path}.initContainers[${index}]` })),
    ];
    for (const { c, at } of containers) {
        for (const { item: p, index } of mappingsAt<ContainerPort>(c.ports, `${at}.ports`, problems)) {
            const portPath = `${at}.ports[${index}]`;
            const protocol = p.protocol ?? "TCP";
            if (p.containerPort === undefined) problems.add("containerPort is required", portPath);
            else if (!isPortNumber(p.containerPort)) problems.add(`containerPort must be a whole number from 1 to 65535, got ${JSON.stringify(p.containerPort)}`, portPath);
            else if (!isProtocol(protocol)) problems.add(`protocol must be one of ${PROTOCOLS.join(", ")}, got ${JSON.stringify(protocol)}`, portPath);
            else ports.push(p.name ? { name: p.name, port: p.containerPort, protocol } : { port: p.containerPort, protocol });
        }
    }
    return ports;
}

export function isPortNumber(value: unknown): value is number {
    return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

export function isProtocol(value: unknown): value is Protocol {
    return PROTOCOLS.includes(value as Protocol);
}

/** Interns shapes so that pods alike in every way NetworkPolicy can see share one. */
class ShapeTable {
    readonly all: Shape[] = [];
    private readonly byKey = new Map<string, Shape>();

    intern(namespace: string, labels: Labels, ports: Port[]): Shape {
        const sortedLabels = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
        const key = JSON.stringify([namespace, sortedLabels, ports]);
        let shape = this.byKey.get(key);
        if (!shape) {
            shape = { id: this.all.length, namespace, labels: sortedLabels, ports };
            this.all.push(shape);
            this.byKey.set(key, shape);
        }
        return shape;
    }
}
