/**
 * The policy engine and the demos as the program registers them: Calico's release, its Installation and the order of
 * things; the VPC CNI alternative; the demo workloads exactly as the walkthrough has them.
 */
import * as assert from "assert";
import { DeleteOrder } from "./deleteOrder";
import { findResource, kubernetesObjects, ProgramRun, resourcesOfType, runProgram, stackConfig } from "./mocks";

const T = {
    release: "kubernetes:helm.sh/v3:Release",
    installation: "kubernetes:operator.tigera.io/v1:Installation",
    goldmane: "kubernetes:operator.tigera.io/v1:Goldmane",
    whisker: "kubernetes:operator.tigera.io/v1:Whisker",
    namespace: "kubernetes:core/v1:Namespace",
    deployment: "kubernetes:apps/v1:Deployment",
    service: "kubernetes:core/v1:Service",
    clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    binding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    cluster: "eks:index:Cluster",
    calico: "eks-netpol-lab:k8s:Calico",
    demo: "eks-netpol-lab:k8s:Demo",
};

describe("calico", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram();
        assert.strictEqual(run.error, undefined);
    });

    it("installs the tigera-operator chart as a Helm release, pinned, and only the operator: no custom resource of its own", () => {
        const release = findResource(run, T.release, "calico-operator").inputs;
        assert.deepStrictEqual(
            { name: release.name, chart: release.chart, version: release.version, repositoryOpts: release.repositoryOpts, namespace: release.namespace, timeout: release.timeout },
            { name: "calico", chart: "tigera-operator", version: "v3.31.7", repositoryOpts: { repo: "https://docs.tigera.io/calico/charts" }, namespace: "tigera-operator", timeout: 600 },
        );
        // Every operator resource the chart could create holds a finalizer on the Installation, or is the Installation.
        assert.deepStrictEqual(release.values, {
            installation: { enabled: false },
            apiServer: { enabled: false },
            goldmane: { enabled: false },
            whisker: { enabled: false },
        });
        assert.strictEqual(release.skipAwait, undefined, "Helm waits for the operator");
    });

    it("creates the Installation for EKS and the VPC CNI, and waits until Calico reports itself ready", () => {
        const installation = findResource(run, T.installation, "calico-installation");
        assert.deepStrictEqual(installation.inputs, {
            apiVersion: "operator.tigera.io/v1",
            kind: "Installation",
            metadata: { name: "default", annotations: { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "900" } },
            // kubeletVolumePluginPath None: the chart's default, so no CSI driver pod takes a pod slot on every node.
            spec: { kubernetesProvider: "EKS", cni: { type: "AmazonVPC" }, calicoNetwork: { bgp: "Disabled" }, kubeletVolumePluginPath: "None" },
        });
        // After the operator on the way up; before it on the way down, while the operator can clear its finalizers.
        assert.deepStrictEqual(installation.options.dependsOn, ["calico-operator"]);
    });

    it("runs Goldmane and Whisker (the flow-log UI) as its own resources, after the Installation", () => {
        const goldmane = findResource(run, T.goldmane, "calico-goldmane");
        const whisker = findResource(run, T.whisker, "calico-whisker");
        assert.deepStrictEqual(goldmane.inputs, { apiVersion: "operator.tigera.io/v1", kind: "Goldmane", metadata: { name: "default" }, spec: {} });
        assert.deepStrictEqual(whisker.inputs, { apiVersion: "operator.tigera.io/v1", kind: "Whisker", metadata: { name: "default" }, spec: {} });
        assert.deepStrictEqual(goldmane.options.dependsOn, ["calico-installation"]);
        assert.deepStrictEqual(whisker.options.dependsOn, ["calico-installation", "calico-goldmane"]);
    });

    it("grants aws-node nothing on a cluster it creates: the VPC CNI add-on grants what ANNOTATE_POD_IP needs", () => {
        assert.deepStrictEqual(run.resources.filter((r) => r.type === T.clusterRole || r.type === T.binding), []);
    });

    it("waits for nodes before Calico, and for Calico before the demos", () => {
        assert.deepStrictEqual(findResource(run, T.calico, "calico").options.dependsOn, ["lab-nodes", "calico-node-recycler"]);
        for (const demo of ["stars", "namespaces"]) assert.deepStrictEqual(findResource(run, T.demo, demo).options.dependsOn, ["lab-nodes", "calico"], demo);
    });

    it("uses the one cluster provider for every Kubernetes resource", () => {
        const kubernetes = kubernetesObjects(run);
        assert.strictEqual(kubernetes.length, 28);
        for (const r of kubernetes) assert.match(r.provider ?? "", /::lab-k8s::lab-k8s-id$/, `${r.type} ${r.name}`);
    });
});

describe("removing Calico from a cluster that stays (Pulumi deletes dependents first)", () => {
    let order: DeleteOrder;
    before(async () => {
        order = new DeleteOrder(await runProgram(stackConfig({ existingClusterName: "team-cluster", stage: "final" })));
    });

    // Each pair: the first is deleted before the second. The operator's Goldmane and Whisker controllers keep their
    // finalizers on the Installation while their resources exist; the operator must run while the Installation goes;
    // the operator would recreate the CRDs; the nodes keep Calico's rules until Calico is gone.
    const ORDER: [string, string, string][] = [
        ["stars-stars-default-deny", "calico-whisker", "demo policies go while Calico still enforces them"],
        ["calico-whisker", "calico-goldmane", "Whisker reads Goldmane's flows"],
        ["calico-whisker", "calico-installation", "Whisker holds a finalizer on the Installation"],
        ["calico-goldmane", "calico-installation", "Goldmane holds a finalizer on the Installation"],
        ["calico-installation", "calico-operator", "the operator clears the Installation's finalizers"],
        ["calico-operator", "calico-crd-cleanup", "the operator would recreate the CRDs"],
        ["calico-crd-cleanup", "calico-node-recycler", "the nodes are replaced once Calico is entirely gone"],
        ["calico-installation", "calico-node-recycler", "the nodes are replaced once Calico is entirely gone"],
    ];
    for (const [first, then, why] of ORDER) {
        it(`deletes ${first} before ${then}: ${why}`, () => {
            assert.ok(order.deletesBefore(first, then), `${first} does not depend on ${then}`);
            assert.ok(!order.deletesBefore(then, first), `${then} also depends on ${first}: a cycle`);
        });
    }
});

describe("bring your own cluster: aws-node's permission to annotate pods", () => {
    it("is granted, and kept on delete: someone may have set ANNOTATE_POD_IP by hand and depend on it", async () => {
        const run = await runProgram(stackConfig({ existingClusterName: "team-cluster" }));
        assert.deepStrictEqual(findResource(run, T.clusterRole, "calico-aws-node-annotate-pods").inputs.rules, [{ apiGroups: [""], resources: ["pods"], verbs: ["patch"] }]);
        const binding = findResource(run, T.binding, "calico-aws-node-annotate-pods");
        assert.deepStrictEqual(binding.inputs.subjects, [{ kind: "ServiceAccount", name: "aws-node", namespace: "kube-system" }]);
        assert.strictEqual(binding.inputs.roleRef.name, "aws-node-annotate-pod-ip");
        for (const type of [T.clusterRole, T.binding]) assert.strictEqual(findResource(run, type, "calico-aws-node-annotate-pods").options.retainOnDelete, true, type);
    });
});

describe("policyEngine: vpc-cni", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(stackConfig({ policyEngine: "vpc-cni" }));
        assert.strictEqual(run.error, undefined);
    });

    it("turns on the VPC CNI's network policy agent and installs no Calico", () => {
        assert.deepStrictEqual(findResource(run, T.cluster, "lab-eks").inputs.vpcCniOptions, {
            enableNetworkPolicy: true,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
        });
        assert.deepStrictEqual(run.resources.filter((r) => r.name.startsWith("calico") || r.type === T.release || r.type === T.installation), []);
        assert.strictEqual(run.exports!.flowLogUiCommand, undefined);
    });

    it("still deploys both demos, after the nodes", () => {
        for (const demo of ["stars", "namespaces"]) assert.deepStrictEqual(findResource(run, T.demo, demo).options.dependsOn, ["lab-nodes"], demo);
    });
});

describe("demo workloads", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram();
    });

    it("labels the Stars namespaces as the policies expect", () => {
        const namespaces = resourcesOfType(run, T.namespace).filter((r) => r.name.startsWith("stars-")).map((r) => r.inputs.metadata);
        const pss = { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "latest" };
        assert.deepStrictEqual(namespaces, [
            { name: "stars", labels: pss },
            { name: "management-ui", labels: { role: "management-ui", ...pss } },
            { name: "client", labels: { role: "client", ...pss } },
        ]);
    });

    it("enforces Pod Security baseline in every demo namespace: no privileged pod, nor ephemeral container (verify's probes)", () => {
        const namespaces = resourcesOfType(run, T.namespace).filter((r) => r.name.startsWith("stars-") || r.name.startsWith("namespaces-"));
        assert.strictEqual(namespaces.length, 6);
        for (const ns of namespaces) assert.strictEqual(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "baseline", ns.name);
    });

    it("runs the Stars workloads with the walkthrough's images, arguments, labels and ports", () => {
        const urls = "--urls=http://frontend.stars:80/status,http://backend.stars:6379/status";
        const all = `${urls},http://client.client:9000/status`;
        const expected: Record<string, { namespace: string; image: string; command?: string[]; port: number }> = {
            "management-ui": { namespace: "management-ui", image: "calico/star-collect:multiarch", port: 9001 },
            backend: { namespace: "stars", image: "calico/star-probe:multiarch", command: ["probe", "--http-port=6379", all], port: 6379 },
            frontend: { namespace: "stars", image: "calico/star-probe:multiarch", command: ["probe", "--http-port=80", all], port: 80 },
            client: { namespace: "client", image: "calico/star-probe:multiarch", command: ["probe", urls], port: 9000 },
        };
        for (const [role, e] of Object.entries(expected)) {
            const d = findResource(run, T.deployment, `stars-${e.namespace}-${role}`).inputs;
            assert.deepStrictEqual(d.metadata, { name: role, namespace: e.namespace, labels: { role } });
            assert.deepStrictEqual(d.spec.selector, { matchLabels: { role } });
            assert.deepStrictEqual(d.spec.template.metadata.labels, { role });
            const [container] = d.spec.template.spec.containers;
            assert.deepStrictEqual([container.image, container.command, container.ports], [e.image, e.command, [{ containerPort: e.port }]], role);
            assert.deepStrictEqual(container.resources.requests, { cpu: "10m", memory: "32Mi" });
        }
    });

    it("exposes every demo workload through a ClusterIP Service whose port equals the container port, never a LoadBalancer", () => {
        const services = resourcesOfType(run, T.service);
        assert.strictEqual(services.length, 7);
        for (const s of services) {
            assert.strictEqual(s.inputs.spec.type, "ClusterIP", s.name);
            const deployment = resourcesOfType(run, T.deployment).find((d) => d.inputs.metadata.namespace === s.inputs.metadata.namespace && d.inputs.metadata.name === s.inputs.metadata.name)!;
            const containerPorts = deployment.inputs.spec.template.spec.containers[0].ports.map((p: { containerPort: number }) => p.containerPort);
            assert.deepStrictEqual(s.inputs.spec.ports.map((p: { port: number; targetPort: number }) => [p.port, p.targetPort]), containerPorts.map((p: number) => [p, p]), s.name);
            assert.deepStrictEqual(s.inputs.spec.selector, deployment.inputs.spec.selector.matchLabels);
        }
    });

    it("runs the namespaces demo's web servers as non-root on port 80", () => {
        for (const x of ["a", "b", "c"]) {
            const spec = findResource(run, T.deployment, `namespaces-namespace-${x}-frontend-${x}`).inputs.spec.template.spec;
            assert.strictEqual(spec.securityContext.runAsNonRoot, true);
            assert.deepStrictEqual(spec.securityContext.sysctls, [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }]);
            assert.deepStrictEqual(spec.containers[0].securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
            assert.deepStrictEqual(spec.containers[0].ports, [{ name: "http", containerPort: 80 }]);
        }
    });
});
