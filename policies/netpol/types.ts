/**
 * The slices of Kubernetes objects the reachability engine reads, typed as they appear in manifests (every field
 * optional, because manifests are user input; the compiler checks what it needs).
 */

export type Labels = Record<string, string>;

export interface LabelSelectorRequirement {
    key?: string;
    operator?: string;
    values?: string[];
}

export interface LabelSelector {
    matchLabels?: Labels;
    matchExpressions?: LabelSelectorRequirement[];
}

export interface ObjectMeta {
    name?: string;
    namespace?: string;
    labels?: Labels;
}

export interface ContainerPort {
    name?: string;
    containerPort?: number;
    protocol?: string;
}

export interface Container {
    name?: string;
    ports?: ContainerPort[];
    /** "Always" on an init container makes it a sidecar that runs (and serves) alongside the others. */
    restartPolicy?: string;
}

export interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
}

export interface PodTemplate {
    metadata?: ObjectMeta;
    spec?: PodSpec;
}

export interface NetworkPolicyPort {
    protocol?: string;
    port?: number | string;
    endPort?: number;
}

export interface IPBlock {
    cidr?: string;
    except?: string[];
}

export interface NetworkPolicyPeer {
    podSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    ipBlock?: IPBlock;
}

export interface NetworkPolicyIngressRule {
    from?: NetworkPolicyPeer[];
    ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
    to?: NetworkPolicyPeer[];
    ports?: NetworkPolicyPort[];
}

export interface NetworkPolicySpec {
    podSelector?: LabelSelector;
    policyTypes?: string[];
    ingress?: NetworkPolicyIngressRule[];
    egress?: NetworkPolicyEgressRule[];
}

/** Any Kubernetes object: the engine looks at `kind` first and at the rest only for kinds it uses. */
export interface KubeObject {
    apiVersion?: string;
    kind?: string;
    metadata?: ObjectMeta;
    spec?: any;
    items?: unknown[];
}

/** Where an object came from, so errors can point at it. */
export interface Source {
    file: string;
    /** 1-based line of the object's document (or List item) in the file. */
    line: number;
    /** The line of a field within the object (`spec.ingress[0].ports[1].port`), where the file can tell. */
    locate?: (path: string) => number | undefined;
}

export interface SourcedObject {
    object: KubeObject;
    source: Source;
}

export type Protocol = "TCP" | "UDP" | "SCTP";
export const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];
