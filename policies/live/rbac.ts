/**
 * The least Kubernetes access verify needs, as plain data: the lab's VerifierAccess component creates exactly this
 * ClusterRole and binds it to VERIFIER_GROUP, the README shows it as YAML for a cluster you bring, and verify names the
 * rule a 403 is missing. Read-only but for one thing: patching pods/ephemeralcontainers, which starts a container of
 * any image in any pod, like `kubectl debug`. Grant it to the identities that verify, not more.
 */

/** The Kubernetes group the EKS access entries of clusterVerifierArns put their principals in. */
export const VERIFIER_GROUP = "eks-netpol-lab-verifiers";
export const VERIFIER_ROLE = "eks-netpol-lab-verifier";

export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
}

export const VERIFIER_RULES: PolicyRule[] = [
    // The demo namespaces' labels, pods (which to probe from, and their IPs), Services (ClusterIPs) and policies.
    { apiGroups: [""], resources: ["namespaces", "pods", "services"], verbs: ["list"] },
    { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["list"] },
    // One probe container per source pod per run, and its output.
    { apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["patch"] },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
];

export interface RbacObjects {
    clusterRole: { apiVersion: "rbac.authorization.k8s.io/v1"; kind: "ClusterRole"; metadata: { name: string }; rules: PolicyRule[] };
    clusterRoleBinding: {
        apiVersion: "rbac.authorization.k8s.io/v1";
        kind: "ClusterRoleBinding";
        metadata: { name: string };
        roleRef: { apiGroup: "rbac.authorization.k8s.io"; kind: "ClusterRole"; name: string };
        subjects: { apiGroup: "rbac.authorization.k8s.io"; kind: "Group"; name: string }[];
    };
}

export function verifierRbac(): RbacObjects {
    return {
        clusterRole: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: VERIFIER_ROLE }, rules: VERIFIER_RULES },
        clusterRoleBinding: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: VERIFIER_ROLE },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: VERIFIER_ROLE },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: VERIFIER_GROUP }],
        },
    };
}

/** The rule that grants `verb` on `resource` (e.g. "pods/ephemeralcontainers"), as the README writes it. */
export function ruleFor(verb: string, resource: string): string {
    const rule = VERIFIER_RULES.find((r) => r.verbs.includes(verb) && r.resources.includes(resource));
    const group = rule?.apiGroups[0] ?? "";
    return `${verb} ${resource}${group ? ` (${group})` : ""}`;
}
