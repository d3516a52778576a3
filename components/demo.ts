import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DemoWorkloads, Deployable, NetworkPolicyObject } from "../policies/manifests";

export interface DemoArgs {
    /** Namespaces, config, Deployments and Services: created once, untouched by stage changes. */
    workloads: DemoWorkloads;
    /** The NetworkPolicies in force; a stage change adds or removes entries here and nothing else. */
    policies: Deployable<NetworkPolicyObject>[];
    provider: k8s.Provider;
    /**
     * Skip deleting this component's objects when this resource (the cluster) is deleted in the same run: a cluster
     * being destroyed takes its objects with it, and waiting on their finalizers is how destroys hang.
     * @default - objects are deleted one by one, as on a cluster that stays.
     */
    deletedWith?: pulumi.Resource;
}

/**
 * One demo: its objects, each deployed exactly as the plain data in policies/ describes it (the same data the tests
 * and `plan` analyse). Everything in a namespace waits for that namespace.
 */
export class Demo extends pulumi.ComponentResource {
    public readonly namespaces: string[];
    public readonly policyNames: string[];

    constructor(name: string, args: DemoArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-netpol-lab:k8s:Demo", name, {}, opts);
        const self = { parent: this, provider: args.provider, deletedWith: args.deletedWith };
        const { workloads } = args;

        const namespaces = new Map(workloads.namespaces.map((ns) => [
            ns.object.metadata.name,
            new k8s.core.v1.Namespace(`${name}-${ns.resourceName}`, ns.object, self),
        ]));
        const inNamespace = (namespace: string) => {
            const resource = namespaces.get(namespace);
            return { ...self, dependsOn: resource ? [resource] : [] };
        };

        const configMaps = workloads.configMaps.map((c) =>
            new k8s.core.v1.ConfigMap(`${name}-${c.resourceName}`, c.object, inNamespace(c.object.metadata.namespace)));
        // The plain data in policies/ is typed for reading (every field optional, as in manifests), the SDK's inputs for
        // writing; the objects themselves are complete, so they pass as they are.
        for (const d of workloads.deployments) {
            const deps = inNamespace(d.object.metadata.namespace);
            new k8s.apps.v1.Deployment(`${name}-${d.resourceName}`, d.object as unknown as k8s.apps.v1.DeploymentArgs, { ...deps, dependsOn: [...deps.dependsOn, ...configMaps] });
        }
        for (const s of workloads.services) {
            new k8s.core.v1.Service(`${name}-${s.resourceName}`, s.object, inNamespace(s.object.metadata.namespace));
        }
        for (const p of args.policies) {
            const policy = p.object as unknown as k8s.networking.v1.NetworkPolicyArgs;
            new k8s.networking.v1.NetworkPolicy(`${name}-${p.resourceName}`, policy, inNamespace(p.object.metadata.namespace));
        }

        this.namespaces = [...namespaces.keys()];
        this.policyNames = args.policies.map((p) => `${p.object.metadata.namespace}/${p.object.metadata.name}`);
        this.registerOutputs({ namespaces: this.namespaces, policyNames: this.policyNames });
    }
}
