/**
 * The live cluster as verify reads it, reduced to plain data: what the API server lists (namespaces, pods, Services,
 * NetworkPolicies in the demo namespaces) and what the stack intends (the demo workloads and policies `plan` yields).
 */
import { Container, Labels, Protocol } from "../netpol/types";
import { PolicyRef } from "./drift";

export interface LiveNamespace {
    name: string;
    labels: Labels;
}

export interface LivePod {
    namespace: string;
    name: string;
    labels: Labels;
    ip?: string;
    phase?: string;
    /** The Ready condition is True. */
    ready: boolean;
    /** Has a controller (a ReplicaSet, ...). The VPC CNI applies no policy to pods without an owner. */
    owned: boolean;
    /** Has a deletionTimestamp: on its way out. */
    deleting: boolean;
    containers: Container[];
}

export interface LiveServicePort {
    port: number;
    targetPort?: number | string;
    protocol?: string;
}

export interface LiveService {
    namespace: string;
    name: string;
    clusterIP?: string;
    selector?: Labels;
    ports: LiveServicePort[];
}

export interface LiveState {
    namespaces: LiveNamespace[];
    pods: LivePod[];
    services: LiveService[];
    policies: PolicyRef[];
}

/** A workload the stack deploys: where its pods are and how they are selected. */
export interface PlannedWorkload {
    /** `namespace/name` */
    id: string;
    namespace: string;
    name: string;
    selector: Labels;
}

/** What the stack's configuration deploys into the cluster, from `plan`. */
export interface Intended {
    workloads: PlannedWorkload[];
    policies: PolicyRef[];
    /** The demo namespaces: the only ones verify reads and probes in. */
    namespaces: string[];
}

/** One cell of the grid: from a source workload to a destination workload's declared port. */
export interface Cell {
    from: string;
    to: string;
    port: number;
    protocol: Protocol;
}

export interface ExpectedCell extends Cell {
    allowed: boolean;
}

/** `stars/backend:6379/TCP`: a grid column, as `plan` labels it. */
export function columnOf(cell: Cell): string {
    return `${cell.to}:${cell.port}/${cell.protocol}`;
}

export function cellId(cell: Cell): string {
    return `${cell.from} -> ${columnOf(cell)}`;
}
