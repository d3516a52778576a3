/**
 * Who may run verify: exactly verify's Kubernetes permissions (policies/live/rbac.ts), given by the program to the
 * principals of clusterVerifierArns, and shown in the README as YAML for a cluster you bring.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { findResource, ProgramRun, resourcesOfType, runProgram, stackConfig } from "../mocks";
import { NAMESPACE_READER_RULES, verifierRbac, VERIFIER_GROUP, VERIFIER_RULES } from "../../policies/live/rbac";

const T = {
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    role: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    binding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
};

/** Both demos' namespaces, where verify measures. */
const DEMO_NAMESPACES = ["stars", "management-ui", "client", "namespace-a", "namespace-b", "namespace-c"];

describe("verify's permissions", () => {
    it("are these rules and no more: in the demo namespaces list what it reads, add ephemeral containers, read their logs", () => {
        assert.deepStrictEqual(VERIFIER_RULES, [
            { apiGroups: [""], resources: ["pods", "services"], verbs: ["list"] },
            { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["list"] },
            { apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["patch"] },
            { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
        ]);
    });

    it("reach outside the demo namespaces only to list namespaces, whose labels namespaceSelectors match", () => {
        assert.deepStrictEqual(NAMESPACE_READER_RULES, [{ apiGroups: [""], resources: ["namespaces"], verbs: ["list"] }]);
        const rbac = verifierRbac(["stars"]);
        assert.deepStrictEqual(rbac.clusterRoleBinding.roleRef.name, "eks-netpol-lab-verifier-namespaces");
        assert.deepStrictEqual(rbac.roleBindings.map((b) => [b.metadata.namespace, b.roleRef.name]), [["stars", "eks-netpol-lab-verifier"]]);
    });

    it("are in the README as YAML a cluster's owner can apply, the same objects the program creates", () => {
        const readme = fs.readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");
        const block = /Verify on the live cluster[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
        assert.ok(block, "the README's verify section has a yaml block");
        const rbac = verifierRbac(DEMO_NAMESPACES);
        assert.deepStrictEqual(parseAllDocuments(block).map((d) => d.toJS()), [...rbac.clusterRoles, rbac.clusterRoleBinding, ...rbac.roleBindings]);
    });
});

describe("program: verifiers (clusterVerifierArns)", () => {
    const VERIFIERS = ["arn:aws:iam::123456789012:role/github-actions", "arn:aws:iam::123456789012:user/auditor"];
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(stackConfig({ clusterVerifierArns: JSON.stringify(VERIFIERS) }));
        assert.strictEqual(run.error, undefined);
    });

    it("gives each an access entry in verify's Kubernetes group, and no EKS access policy", () => {
        const entries = resourcesOfType(run, T.accessEntry).filter((e) => e.name.startsWith("lab-verifiers-"));
        assert.deepStrictEqual(entries.map((e) => e.inputs), VERIFIERS.map((principalArn) => ({ clusterName: "eks-netpol-lab-dev", principalArn, type: "STANDARD", kubernetesGroups: [VERIFIER_GROUP] })));
        assert.deepStrictEqual(resourcesOfType(run, T.accessPolicy).filter((p) => VERIFIERS.includes(p.inputs.principalArn)), []);
    });

    it("creates verify's roles and binds them to that group, in the demo namespaces once they exist, deleted with the cluster", () => {
        const rbac = verifierRbac(DEMO_NAMESPACES);
        // Registration order is the mocks', not the program's: compare as sets.
        const byName = (a: Record<string, any>, b: Record<string, any>) => a.metadata.name.localeCompare(b.metadata.name);
        const roles = resourcesOfType(run, T.role).filter((r) => r.name.startsWith("lab-verifiers-"));
        assert.deepStrictEqual(roles.map((r) => r.inputs).sort(byName), [...rbac.clusterRoles].sort(byName));
        assert.deepStrictEqual(findResource(run, T.binding, "lab-verifiers-eks-netpol-lab-verifier-namespaces").inputs, rbac.clusterRoleBinding);
        const bindings = resourcesOfType(run, T.roleBinding);
        const byNamespace = (a: Record<string, any>, b: Record<string, any>) => a.metadata.namespace.localeCompare(b.metadata.namespace);
        assert.deepStrictEqual(bindings.map((b) => b.inputs).sort(byNamespace), [...rbac.roleBindings].sort(byNamespace));
        for (const r of [...roles, ...bindings]) {
            assert.match(r.provider ?? "", /::lab-k8s::/);
            assert.strictEqual(r.options.deletedWith, "lab-eks");
        }
        assert.deepStrictEqual(findResource(run, "eks-netpol-lab:infra:VerifierAccess", "lab-verifiers").options.dependsOn, ["stars", "namespaces"]);
    });

    it("gives the cluster's creator no entry: it is admin already", async () => {
        const withCreator = await runProgram(stackConfig({ clusterVerifierArns: JSON.stringify([...VERIFIERS, "arn:aws:iam::123456789012:role/lab-admin"]) }));
        const entries = resourcesOfType(withCreator, T.accessEntry).filter((e) => e.name.startsWith("lab-verifiers-"));
        assert.deepStrictEqual(entries.map((e) => e.inputs.principalArn), VERIFIERS);
    });

    it("creates none of it when the list is empty, as by default", async () => {
        const plain = await runProgram(stackConfig());
        assert.deepStrictEqual([...resourcesOfType(plain, T.role), ...resourcesOfType(plain, T.binding), ...resourcesOfType(plain, T.roleBinding)], []);
        assert.deepStrictEqual(resourcesOfType(plain, T.accessEntry), []);
    });
});
