/**
 * Who may run verify: exactly verify's Kubernetes permissions (policies/live/rbac.ts), given by the program to the
 * principals of clusterVerifierArns, and shown in the README as YAML for a cluster you bring.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { findResource, ProgramRun, resourcesOfType, runProgram, stackConfig } from "../mocks";
import { verifierRbac, VERIFIER_GROUP, VERIFIER_RULES } from "../../policies/live/rbac";

const T = {
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    role: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    binding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
};

describe("verify's permissions", () => {
    it("are these rules and no more: list what it reads, add ephemeral containers, read their logs", () => {
        assert.deepStrictEqual(VERIFIER_RULES, [
            { apiGroups: [""], resources: ["namespaces", "pods", "services"], verbs: ["list"] },
            { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["list"] },
            { apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["patch"] },
            { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
        ]);
    });

    it("are in the README as YAML a cluster's owner can apply, the same objects the program creates", () => {
        const readme = fs.readFileSync(path.resolve(__dirname, "..", "..", "README.md"), "utf8");
        const block = /Verify on the live cluster[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
        assert.ok(block, "the README's verify section has a yaml block");
        const rbac = verifierRbac();
        assert.deepStrictEqual(parseAllDocuments(block).map((d) => d.toJS()), [rbac.clusterRole, rbac.clusterRoleBinding]);
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

    it("creates verify's ClusterRole and binds it to that group, in the cluster, deleted with it", () => {
        const rbac = verifierRbac();
        const role = findResource(run, T.role, "lab-verifiers-role");
        const binding = findResource(run, T.binding, "lab-verifiers-binding");
        assert.deepStrictEqual(role.inputs, rbac.clusterRole);
        assert.deepStrictEqual(binding.inputs, rbac.clusterRoleBinding);
        for (const r of [role, binding]) {
            assert.match(r.provider ?? "", /::lab-k8s::/);
            assert.strictEqual(r.options.deletedWith, "lab-eks");
        }
    });

    it("creates none of it when the list is empty, as by default", async () => {
        const plain = await runProgram(stackConfig());
        assert.deepStrictEqual([...resourcesOfType(plain, T.role), ...resourcesOfType(plain, T.binding)], []);
        assert.deepStrictEqual(resourcesOfType(plain, T.accessEntry), []);
    });
});
