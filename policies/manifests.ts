/**
 * Kubernetes objects as plain data, with the Pulumi resource name each is deployed under. The components turn these
 * into typed resources; the tests and `plan` hand the very same objects to the reachability engine.
 */
import { Labels, NetworkPolicySpec } from "./netpol/types";

/** A Kubernetes object and the stable Pulumi resource name it is deployed under. */
export interface Deployable<T> {
    /** Unique among the program's resources of this kind, and independent of stage, so stages never rename. */
    resourceName: string;
    object: T;
}

export interface NamespaceObject {
    apiVersion: "v1";
    kind: "Namespace";
    metadata: { name: string; labels?: Labels };
}

export interface NetworkPolicyObject {
    apiVersion: "networking.k8s.io/v1";
    kind: "NetworkPolicy";
    metadata: { name: string; namespace: string };
    spec: NetworkPolicySpec;
}

export interface ContainerSpec {
    name: string;
    image: string;
    command?: string[];
    args?: string[];
    ports: { containerPort: number; name?: string; protocol?: "TCP" }[];
    resources: { requests: { cpu: string; memory: string }; limits?: { memory: string } };
    securityContext?: Record<string, unknown>;
    volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface DeploymentObject {
    apiVersion: "apps/v1";
    kind: "Deployment";
    metadata: { name: string; namespace: string; labels: Labels };
    spec: {
        replicas: number;
        selector: { matchLabels: Labels };
        template: {
            metadata: { labels: Labels };
            spec: {
                containers: ContainerSpec[];
                securityContext?: Record<string, unknown>;
                volumes?: Record<string, unknown>[];
            };
        };
    };
}

export interface ServiceObject {
    apiVersion: "v1";
    kind: "Service";
    metadata: { name: string; namespace: string; labels?: Labels };
    spec: { type: "ClusterIP"; selector: Labels; ports: { name?: string; port: number; targetPort: number; protocol: "TCP" }[] };
}

export interface ConfigMapObject {
    apiVersion: "v1";
    kind: "ConfigMap";
    metadata: { name: string; namespace: string };
    data: Record<string, string>;
}

/** Everything a demo deploys besides its policies. */
export interface DemoWorkloads {
    namespaces: Deployable<NamespaceObject>[];
    configMaps: Deployable<ConfigMapObject>[];
    deployments: Deployable<DeploymentObject>[];
    services: Deployable<ServiceObject>[];
}

/**
 * Pod Security admission at the baseline level in every demo namespace: no privileged containers, host namespaces,
 * host paths or added capabilities, for the demo's pods and for the ephemeral containers `verify` adds to them (the
 * admission checks those too). What bounds the patch-ephemeral-containers right verify's identity has there: without
 * it, that right could start a privileged container and take the node.
 */
export const POD_SECURITY_LABELS: Labels = { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "latest" };

export function namespaceObject(name: string, labels: Labels = {}): Deployable<NamespaceObject> {
    return { resourceName: name, object: { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { ...labels, ...POD_SECURITY_LABELS } } } };
}

export function networkPolicy(resourceName: string, namespace: string, name: string, spec: NetworkPolicySpec): Deployable<NetworkPolicyObject> {
    return { resourceName, object: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec } };
}

/** A single-replica Deployment whose pods, selector and metadata all carry `labels`. */
export function deploymentObject(resourceName: string, namespace: string, name: string, labels: Labels, pod: DeploymentObject["spec"]["template"]["spec"]): Deployable<DeploymentObject> {
    return {
        resourceName,
        object: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name, namespace, labels },
            spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: pod } },
        },
    };
}

/** A ClusterIP Service in front of a Deployment, on each of its container ports (Service port = container port). */
export function serviceFor(deployment: Deployable<DeploymentObject>): Deployable<ServiceObject> {
    const { name, namespace, labels } = deployment.object.metadata;
    const ports = deployment.object.spec.template.spec.containers.flatMap((c) => c.ports);
    return {
        resourceName: deployment.resourceName,
        object: {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name, namespace, labels },
            spec: {
                // ClusterIP only: a LoadBalancer would create an AWS load balancer that outlives the cluster's VPC.
                type: "ClusterIP",
                selector: deployment.object.spec.selector.matchLabels,
                // The VPC CNI's policy agent requires the Service port to equal the container port.
                ports: ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.containerPort, targetPort: p.containerPort, protocol: "TCP" })),
            },
        },
    };
}
