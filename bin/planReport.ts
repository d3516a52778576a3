/**
 * What `pulumi up` would do, from an offline run of the program: the resources it registers, the Kubernetes objects
 * it applies, and who can then talk to whom among the demo workloads, as the reachability engine computes from those
 * very objects.
 */
import { ProgramRun, RecordedResource } from "./offlineProgram";
import { analyze } from "../policies/netpol/analysis";
import { connectivityMatrix, MatrixFlow, matrixFlows } from "../policies/netpol/matrix";
import { KubeObject } from "../policies/netpol/types";

export interface PlanReport {
    stage: string;
    resources: { type: string; name: string }[];
    /** Every Kubernetes object, as it would be applied. */
    manifests: KubeObject[];
    /** Every ordered pair of demo workloads (a workload to itself too: its pods talk to each other), on each port the destination declares. */
    flows: MatrixFlow[];
    /** `namespace/name` of every demo workload, in order. */
    workloads: string[];
    /** The demos and their workloads, each drawn as its own panel of the picture. */
    demos: { name: string; workloads: string[] }[];
}

/** Types of Kubernetes resources that are not objects applied to the cluster. */
const NOT_OBJECTS = ["kubernetes:helm.sh/v3:Release"];

export function isKubernetesObject(r: RecordedResource): boolean {
    return r.type.startsWith("kubernetes:") && !NOT_OBJECTS.includes(r.type);
}

export function planReport(run: ProgramRun, stage: string): PlanReport {
    const manifests = run.resources.filter(isKubernetesObject).map((r) => withoutUndefined(r.inputs) as KubeObject);
    const demoNames = new Set(run.resources.filter((r) => r.type === "eks-netpol-lab:k8s:Demo").map((r) => r.name));
    const deployments = run.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment" && demoNames.has(r.options.parent));
    const idOf = (r: RecordedResource) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`;
    const workloads = deployments.map(idOf).sort();
    const demos = [...demoNames].sort().map((name) => ({ name, workloads: deployments.filter((r) => r.options.parent === name).map(idOf).sort() }));
    const analysis = analyze(manifests.map((object, i) => ({ object, source: { file: "(plan)", line: i + 1 } })));
    const demo = new Set(workloads);
    const flows = [...matrixFlows(connectivityMatrix(analysis))].filter((f) => demo.has(f.from) && demo.has(f.to));
    return { stage, resources: run.resources.map((r) => ({ type: r.type, name: r.name })), manifests, flows, workloads, demos };
}

/** Inputs as the API server would see them: no undefined fields. */
function withoutUndefined(value: unknown): unknown {
    return JSON.parse(JSON.stringify(value));
}
