/**
 * The cluster as the engine sees it: namespaces with their labels, and endpoints (pods and workloads) grouped into
 * shapes. A shape is everything NetworkPolicy can tell pods apart by (namespace, labels, container ports), so every
 * decision is made once per shape, however many pods share it.
 */
import { mappingAt, mappingsAt, Problems } from "./errors";
import { Classification, Classified } from "./kinds";
import { labelsAt } from "./labels";
import { PORT_NAME } from "./ports";
import { show } from "./show";
import { Container, ContainerPort, Labels, PodSpec, PodTemplate, Protocol, PROTOCOLS, Source } from "./types";

export { WORKLOAD_KINDS } from "./kinds";

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

/** Builds namespaces and endpoints from classified objects, reporting every malformed field to `problems`. */
export function buildModel(objects: Classification, problems: Problems): ClusterModel {
    const namespaces = new Map<string, Namespace>();
    for (const { object, source, name } of objects.namespaces) {
        const labels = labelsAt(object.metadata?.labels, "metadata.labels", problems.at(source));
        namespaces.set(name, { name, labels: { ...labels, [NAMESPACE_NAME_LABEL]: name }, defined: true });
    }
    const shapes = new ShapeTable();
    const endpoints = objects.endpoints.map((c): Endpoint => {
        const at = problems.at(c.source);
        const { template, path } = podTemplateOf(c, at);
        const metadata = mappingAt<Record<string, unknown>>(template?.metadata, `${path}metadata`, at);
        const labels = labelsAt(metadata?.labels, `${path}metadata.labels`, at);
        const ports = portsOf(mappingAt<PodSpec>(template?.spec, `${path}spec`, at), `${path}spec`, at);
        return { id: `${c.namespace}/${c.name}`, kind: c.kind, namespace: c.namespace, name: c.name, shape: shapes.intern(c.namespace, labels, ports), source: c.source };
    });
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

/**
 * The pod template of an endpoint (a Pod is its own), and the path to it for messages (`spec.template.`). Every step
 * is checked to be a mapping: a string where a mapping belongs is reported, never read as an empty template.
 */
function podTemplateOf(c: Classified, problems: Problems): { template?: PodTemplate; path: string } {
    const object = c.object;
    if (c.kind === "Pod") return { template: { metadata: object.metadata, spec: object.spec }, path: "" };
    const spec = mappingAt<Record<string, unknown>>(object.spec, "spec", problems);
    if (c.kind === "CronJob") {
        const jobTemplate = mappingAt<Record<string, unknown>>(spec?.jobTemplate, "spec.jobTemplate", problems);
        const jobSpec = mappingAt<Record<string, unknown>>(jobTemplate?.spec, "spec.jobTemplate.spec", problems);
        const path = "spec.jobTemplate.spec.template.";
        return { template: mappingAt<PodTemplate>(jobSpec?.template, path.slice(0, -1), problems), path };
    }
    const template = mappingAt<PodTemplate>(spec?.template, "spec.template", problems);
    if (c.kind !== "ReplicationController" || template?.metadata?.labels !== undefined) return { template, path: "spec.template." };
    // An RC without template labels takes them from its selector, as the API server defaults (a plain label map).
    const metadata = mappingAt<Record<string, unknown>>(template?.metadata, "spec.template.metadata", problems);
    const selector = labelsAt(spec?.selector, "spec.selector", problems);
    return { template: { ...template, metadata: { ...metadata, labels: selector } }, path: "spec.template." };
}

/** Declared container ports, including those of restartable init containers (sidecars), which also serve traffic. */
function portsOf(spec: PodSpec | undefined, path: string, problems: Problems): Port[] {
    const containers = [
        ...mappingsAt<Container>(spec?.containers, `${path}.containers`, problems).map(({ item, index }) => ({ c: item, at: `${path}.containers[${index}]` })),
        ...mappingsAt<Container>(spec?.initContainers, `${path}.initContainers`, problems)
            .filter(({ item }) => item.restartPolicy === "Always")
            .map(({ item, index }) => ({ c: item, at: `${path}.initContainers[${index}]` })),
    ];
    return containers.flatMap(({ c, at }) =>
        mappingsAt<ContainerPort>(c.ports, `${at}.ports`, problems).flatMap(({ item, index }) => containerPort(item, `${at}.ports[${index}]`, problems)),
    );
}

function containerPort(p: ContainerPort, path: string, problems: Problems): Port[] {
    const protocol = p.protocol ?? "TCP";
    const before = problems.list.length;
    if (p.containerPort === undefined) problems.add("containerPort is required", path);
    else if (!isPortNumber(p.containerPort)) problems.add(`containerPort must be a whole number from 1 to 65535, got ${show(p.containerPort)}`, `${path}.containerPort`);
    if (!isProtocol(protocol)) problems.add(`protocol must be one of ${PROTOCOLS.join(", ")}, got ${show(protocol)}`, `${path}.protocol`);
    if (p.name !== undefined && (typeof p.name !== "string" || !PORT_NAME.test(p.name))) {
        problems.add(`${show(p.name)} is not a valid port name (1-15 lowercase letters, digits and hyphens, with at least one letter)`, `${path}.name`);
    }
    if (problems.list.length > before) return [];
    const checked = protocol as Protocol;
    return [p.name ? { name: p.name, port: p.containerPort!, protocol: checked } : { port: p.containerPort!, protocol: checked }];
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
        const sortedLabels = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
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
