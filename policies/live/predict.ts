/**
 * The prediction: the reachability engine (the same `analyze` behind `plan` and `netpol`) run over the live objects:
 * the demo namespaces with their live labels, the live NetworkPolicies, and each workload as its live pod shows it. So
 * the expected grid is what the policies in the cluster must do, whether or not they are the ones the stack intends
 * (that difference is drift, reported apart).
 */
import { analyze } from "../netpol/analysis";
import { connectivityMatrix, matrixFlows } from "../netpol/matrix";
import { SourcedObject } from "../netpol/types";
import { PodChoice, workloadObject } from "./workloads";
import { ExpectedCell, LiveState } from "./types";

export interface Prediction {
    cells: ExpectedCell[];
    /** Declared ports verify does not probe (not TCP), as `workload:port/protocol`. */
    unprobed: string[];
}

/** Throws the engine's InputError if a live object is something it cannot read (every problem at once). */
export function predict(live: LiveState, choices: PodChoice[]): Prediction {
    const objects: SourcedObject[] = [
        ...live.namespaces.map((n) => sourced({ apiVersion: "v1", kind: "Namespace", metadata: { name: n.name, labels: n.labels } })),
        ...live.policies.map((p) =>
            sourced({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: p.name, namespace: p.namespace }, spec: p.spec })),
        ...choices.flatMap((c) => ("pod" in c ? [sourced(workloadObject(c.workload, c.pod), `pod ${c.pod.namespace}/${c.pod.name}`)] : [])),
    ];
    const flows = [...matrixFlows(connectivityMatrix(analyze(objects)))].filter((f) => f.from !== f.to);
    const unprobed = [...new Set(flows.filter((f) => f.protocol !== "TCP").map((f) => `${f.to}:${f.port}/${f.protocol}`))].sort();
    return { cells: flows.filter((f) => f.protocol === "TCP"), unprobed };
}

/** Live objects have no file: the engine's messages name the object instead. */
function sourced(object: SourcedObject["object"], what?: string): SourcedObject {
    const name = what ?? `${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata?.name}`;
    return { object, source: { file: `(live ${name})`, line: 1 } };
}
